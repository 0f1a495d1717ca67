// The squid's tables, named as the Bizkey indexer names its own so that one
// query counts both databases. Written with typeorm-store's decorators (what
// `squid-typeorm-codegen` would emit from a schema.graphql, without the
// GraphQL server it brings along).
import {
    BigIntColumn as BigIntColumn_,
    Entity as Entity_,
    Index as Index_,
    IntColumn as IntColumn_,
    JSONColumn as JSONColumn_,
    PrimaryColumn as PrimaryColumn_,
    StringColumn as StringColumn_,
} from '@subsquid/typeorm-store'

/** Every block from the deployment block on, with or without suite events. */
@Entity_('blocks')
export class Block {
    constructor(props?: Partial<Block>) {
        Object.assign(this, props)
    }

    /** The processor's block id (zero-padded height and hash prefix). */
    @PrimaryColumn_()
    id!: string

    @Index_({unique: true})
    @IntColumn_({nullable: false})
    number!: number

    @StringColumn_({nullable: false})
    hash!: string

    @StringColumn_({nullable: false})
    parentHash!: string

    /** Block time, ms since the Unix epoch. */
    @BigIntColumn_({nullable: false})
    timestamp!: bigint

    /** Suite contract events in this block. */
    @IntColumn_({nullable: false})
    events!: number
}

/** Every ContractEmitted event of a suite contract, decoded with its metadata. */
@Entity_('events')
export class Event {
    constructor(props?: Partial<Event>) {
        Object.assign(this, props)
    }

    /** The processor's event id (block id and index in the block). */
    @PrimaryColumn_()
    id!: string

    @Index_()
    @IntColumn_({nullable: false})
    blockNumber!: number

    /** Index in the block's System.Events. */
    @IntColumn_({nullable: false})
    eventIndex!: number

    @IntColumn_({nullable: true})
    extrinsicIndex!: number | undefined | null

    /** Emitting contract (SS58, prefix 42). */
    @StringColumn_({nullable: false})
    contract!: string

    /** The manifest's name of the contract (ledger, registry, …). */
    @StringColumn_({nullable: false})
    contractKind!: string

    /** Event type; NULL when the contract's metadata does not decode it. */
    @StringColumn_({nullable: true})
    name!: string | undefined | null

    /** Decoded fields (u128 and u64 as decimal strings, bytes as 0x hex). */
    @JSONColumn_({nullable: true})
    data!: unknown | undefined | null
}

/** A dual-entry receipt and its current status, from the ledger's events. */
@Entity_('receipts')
export class Receipt {
    constructor(props?: Partial<Receipt>) {
        Object.assign(this, props)
    }

    /** The ledger's receipt id (decimal). */
    @PrimaryColumn_()
    id!: string

    @Index_()
    @StringColumn_({nullable: false})
    merchant!: string

    @Index_()
    @StringColumn_({nullable: false})
    customer!: string

    @StringColumn_({nullable: false})
    openedBy!: string

    @BigIntColumn_({nullable: false})
    orderId!: bigint

    /** Cents. */
    @BigIntColumn_({nullable: false})
    amount!: bigint

    @Index_()
    @StringColumn_({nullable: false})
    status!: string

    @IntColumn_({nullable: false})
    openedBlock!: number

    @IntColumn_({nullable: false})
    updatedBlock!: number
}

/** Every status a receipt went through, in order. */
@Entity_('receipt_status_history')
export class ReceiptStatusChange {
    constructor(props?: Partial<ReceiptStatusChange>) {
        Object.assign(this, props)
    }

    /** The id of the event that changed it. */
    @PrimaryColumn_()
    id!: string

    @Index_()
    @StringColumn_({nullable: false})
    receiptId!: string

    @StringColumn_({nullable: false})
    status!: string

    /** Who cancelled or flagged it (SS58). */
    @StringColumn_({nullable: true})
    changedBy!: string | undefined | null

    @IntColumn_({nullable: false})
    blockNumber!: number

    @IntColumn_({nullable: false})
    eventIndex!: number

    @BigIntColumn_({nullable: false})
    timestamp!: bigint
}
