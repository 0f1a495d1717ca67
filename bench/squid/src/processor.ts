// What to fetch: every block from the suite's deployment block to the
// finalized head the run starts at, and the ContractEmitted events of the
// suite's contracts, over the node's RPC (no archive: a dev chain has none).
import {Abi} from '@subsquid/ink-abi'
import * as ss58 from '@subsquid/ss58'
import {
    BlockHeader,
    DataHandlerContext,
    Event as _Event,
    SubstrateBatchProcessor,
    SubstrateBatchProcessorFields,
} from '@subsquid/substrate-processor'
import * as fs from 'fs'

/** The generic SS58 prefix, the one the Bizkey indexer writes. */
export const SS58 = ss58.codec(42)

/** The part of `bizkey_chain::Manifest` the squid reads. */
interface Manifest {
    node_url: string
    deployment_block: number
    contracts: {name: string; address: string; bundle: string}[]
}

export interface SuiteContract {
    name: string
    address: string
    abi: Abi
}

export function loadManifest(path: string): Manifest {
    return JSON.parse(fs.readFileSync(path, 'utf8'))
}

/**
 * The suite's contracts by their address in hex (as the processor gives
 * `ContractEmitted.contract`), each with the metadata of the bundle it was
 * instantiated from: a `.contract` bundle is the ink! metadata JSON with the
 * Wasm beside it.
 */
export function suiteContracts(manifest: Manifest): Map<string, SuiteContract> {
    let contracts = new Map<string, SuiteContract>()
    for (let c of manifest.contracts) {
        let metadata = JSON.parse(fs.readFileSync(c.bundle, 'utf8'))
        contracts.set(ss58.decode(c.address).bytes, {
            name: c.name,
            address: c.address,
            abi: new Abi(metadata),
        })
    }
    return contracts
}

export function makeProcessor(manifest: Manifest, contracts: Iterable<string>, to: number) {
    let from = manifest.deployment_block
    return new SubstrateBatchProcessor()
        .setRpcEndpoint({url: manifest.node_url})
        .setBlockRange({from, to})
        .includeAllBlocks({from})
        .addContractsContractEmitted({contractAddress: [...contracts]})
        .setFields({
            block: {timestamp: true},
            event: {name: true, args: true, topics: true},
        })
}

/** The chain's finalized height, asked over HTTP at the node's RPC port. */
export async function finalizedHeight(nodeUrl: string): Promise<number> {
    let url = nodeUrl.replace(/^ws/, 'http')
    let call = async (method: string, params: unknown[]) => {
        let res = await fetch(url, {
            method: 'POST',
            headers: {'content-type': 'application/json'},
            body: JSON.stringify({id: 1, jsonrpc: '2.0', method, params}),
        })
        let body: any = await res.json()
        if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`)
        return body.result
    }
    let hash: string = await call('chain_getFinalizedHead', [])
    let header = await call('chain_getHeader', [hash])
    return parseInt(header.number, 16)
}

type Fields = SubstrateBatchProcessorFields<ReturnType<typeof makeProcessor>>
export type ProcessorContext<Store> = DataHandlerContext<Store, Fields>
export type Header = BlockHeader<Fields>
export type ChainEvent = _Event<Fields>
