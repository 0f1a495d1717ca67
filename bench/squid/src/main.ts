// A squid over the Bizkey suite for the indexer benchmark: the blocks, every
// suite contract event decoded with its contract's metadata, and the ledger's
// receipts with their status history, written per batch.
//
// Usage: BIZKEY_MANIFEST=manifest.json DB_URL=postgres://… node lib/main.js
// Indexes from the manifest's deployment block to the finalized head at
// start, then prints one `backfill squid: …` line and exits.
import {Store, TypeormDatabase} from '@subsquid/typeorm-store'
import {In} from 'typeorm'
import {Block, Event, Receipt, ReceiptStatusChange} from './model'
import {
    ChainEvent,
    finalizedHeight,
    Header,
    loadManifest,
    makeProcessor,
    ProcessorContext,
    SS58,
    SuiteContract,
    suiteContracts,
} from './processor'

const totals = {blocks: 0, events: 0}

async function main() {
    let manifest = loadManifest(required('BIZKEY_MANIFEST'))
    let contracts = suiteContracts(manifest)
    let head = await finalizedHeight(manifest.node_url)
    let processor = makeProcessor(manifest, contracts.keys(), head)
    let started = performance.now()
    process.on('exit', (code) => {
        if (code !== 0) return
        let secs = (performance.now() - started) / 1000
        let rssMiB = Math.round(process.resourceUsage().maxRSS / 1024)
        console.log(
            `backfill squid: ${totals.blocks} blocks, ${totals.events} contract events in ${secs.toFixed(1)} s: ` +
                `${Math.round(totals.blocks / secs)} blocks/s, ${Math.round(totals.events / secs)} events/s, ` +
                `peak RSS ${rssMiB} MiB`,
        )
    })
    // Finalized blocks only, as the Bizkey indexer: nothing to roll back.
    processor.run(new TypeormDatabase({supportHotBlocks: false}), async (ctx) => {
        await handle(ctx, contracts)
    })
}

async function handle(ctx: ProcessorContext<Store>, contracts: Map<string, SuiteContract>) {
    let blocks: Block[] = []
    let events: Event[] = []
    let ledger: LedgerEvent[] = []
    for (let block of ctx.blocks) {
        let count = 0
        for (let event of block.events) {
            let contract = contracts.get(event.args.contract)
            if (contract == null) continue
            let decoded = decode(contract, event)
            events.push(
                new Event({
                    id: event.id,
                    blockNumber: block.header.height,
                    eventIndex: event.index,
                    extrinsicIndex: event.extrinsicIndex,
                    contract: contract.address,
                    contractKind: contract.name,
                    name: decoded?.__kind ?? null,
                    data: decoded == null ? null : toJson(decoded),
                }),
            )
            if (contract.name === 'ledger' && decoded != null) {
                ledger.push({header: block.header, event, value: decoded})
            }
            count += 1
        }
        blocks.push(
            new Block({
                id: block.header.id,
                number: block.header.height,
                hash: block.header.hash,
                parentHash: block.header.parentHash,
                timestamp: BigInt(block.header.timestamp ?? 0),
                events: count,
            }),
        )
    }
    let {receipts, history} = await projectReceipts(ctx.store, ledger)
    await ctx.store.insert(blocks)
    await ctx.store.insert(events)
    await ctx.store.upsert(receipts)
    await ctx.store.insert(history)
    totals.blocks += blocks.length
    totals.events += events.length
}

interface LedgerEvent {
    header: Header
    event: ChainEvent
    value: any
}

const NEW_STATUS: Record<string, string> = {
    ReceiptConfirmed: 'Confirmed',
    ReceiptCancelled: 'Cancelled',
    ReceiptFlagged: 'Flagged',
    ReceiptRefunded: 'Refunded',
    // An upheld appeal: the receipt is confirmed again.
    ReceiptRestored: 'Confirmed',
}

/**
 * The receipts the batch's ledger events open or change, as the Bizkey
 * indexer keeps them: an opening creates one, each later event sets its
 * status; receipts opened in earlier batches are loaded in one query.
 */
async function projectReceipts(store: Store, ledger: LedgerEvent[]) {
    let opened = new Set<string>()
    let changed = new Set<string>()
    for (let {value} of ledger) {
        if (value.__kind === 'ReceiptOpened') opened.add(value.id.toString())
        else if (NEW_STATUS[value.__kind]) changed.add(value.id.toString())
    }
    let earlier = [...changed].filter((id) => !opened.has(id))
    let receipts = new Map<string, Receipt>()
    if (earlier.length > 0) {
        for (let r of await store.findBy(Receipt, {id: In(earlier)})) receipts.set(r.id, r)
    }
    let history: ReceiptStatusChange[] = []
    for (let {header, event, value: e} of ledger) {
        let id = e.id?.toString()
        let status: string
        if (e.__kind === 'ReceiptOpened') {
            status = 'Open'
            receipts.set(
                id,
                new Receipt({
                    id,
                    merchant: SS58.encode(e.merchant),
                    customer: SS58.encode(e.customer),
                    openedBy: e.openedBy.__kind,
                    orderId: BigInt(e.order.orderId),
                    amount: BigInt(e.order.amount),
                    status,
                    openedBlock: header.height,
                    updatedBlock: header.height,
                }),
            )
        } else if (NEW_STATUS[e.__kind]) {
            status = NEW_STATUS[e.__kind]
            let r = receipts.get(id)
            if (r == null) {
                throw new Error(`${e.__kind} of unknown receipt ${id} at block ${header.height}`)
            }
            r.status = status
            r.updatedBlock = header.height
        } else {
            continue
        }
        history.push(
            new ReceiptStatusChange({
                id: event.id,
                receiptId: id,
                status,
                changedBy: e.by == null ? null : SS58.encode(e.by),
                blockNumber: header.height,
                eventIndex: event.index,
                timestamp: BigInt(header.timestamp ?? 0),
            }),
        )
    }
    return {receipts: [...receipts.values()], history}
}

/** The event decoded with its contract's metadata, or undefined (stored with no name). */
function decode(contract: SuiteContract, event: ChainEvent): any {
    try {
        return contract.abi.decodeEvent(event.args.data, event.topics)
    } catch {
        return undefined
    }
}

/**
 * JSON for a decoded value (ink-abi names fields in camelCase): integers that
 * may pass 2^53 become decimal strings, a `None` null.
 */
function toJson(value: unknown): unknown {
    if (value === undefined) return null
    if (typeof value === 'bigint') return value.toString()
    if (Array.isArray(value)) return value.map(toJson)
    if (value != null && typeof value === 'object') {
        let out: Record<string, unknown> = {}
        for (let [k, v] of Object.entries(value)) out[k] = toJson(v)
        return out
    }
    return value
}

function required(name: string): string {
    let value = process.env[name]
    if (!value) throw new Error(`${name} is not set`)
    return value
}

main().catch((err) => {
    console.error(err)
    process.exit(1)
})
