module.exports = class Data1796548844725 {
    name = 'Data1796548844725'

    async up(db) {
        await db.query(`CREATE TABLE "blocks" ("id" character varying NOT NULL, "number" integer NOT NULL, "hash" text NOT NULL, "parent_hash" text NOT NULL, "timestamp" numeric NOT NULL, "events" integer NOT NULL, CONSTRAINT "PK_8244fa1495c4e9222a01059244b" PRIMARY KEY ("id"))`)
        await db.query(`CREATE UNIQUE INDEX "IDX_5c0b8f5cedabb33e58a625f8a7" ON "blocks" ("number") `)
        await db.query(`CREATE TABLE "events" ("id" character varying NOT NULL, "block_number" integer NOT NULL, "event_index" integer NOT NULL, "extrinsic_index" integer, "contract" text NOT NULL, "contract_kind" text NOT NULL, "name" text, "data" jsonb, CONSTRAINT "PK_40731c7151fe4be3116e45ddf73" PRIMARY KEY ("id"))`)
        await db.query(`CREATE INDEX "IDX_28bb833cceceb846b545e18038" ON "events" ("block_number") `)
        await db.query(`CREATE TABLE "receipts" ("id" character varying NOT NULL, "merchant" text NOT NULL, "customer" text NOT NULL, "opened_by" text NOT NULL, "order_id" numeric NOT NULL, "amount" numeric NOT NULL, "status" text NOT NULL, "opened_block" integer NOT NULL, "updated_block" integer NOT NULL, CONSTRAINT "PK_5e8182d7c29e023da6e1ff33bfe" PRIMARY KEY ("id"))`)
        await db.query(`CREATE INDEX "IDX_8b7fb38571e97ee837011dd04d" ON "receipts" ("merchant") `)
        await db.query(`CREATE INDEX "IDX_903af9f53af2cece45723defc5" ON "receipts" ("customer") `)
        await db.query(`CREATE INDEX "IDX_6abc43992819da10ffd42cae67" ON "receipts" ("status") `)
        await db.query(`CREATE TABLE "receipt_status_history" ("id" character varying NOT NULL, "receipt_id" text NOT NULL, "status" text NOT NULL, "changed_by" text, "block_number" integer NOT NULL, "event_index" integer NOT NULL, "timestamp" numeric NOT NULL, CONSTRAINT "PK_2ce9d97426ab0bbe50e27f86004" PRIMARY KEY ("id"))`)
        await db.query(`CREATE INDEX "IDX_c0b6154a2a4c0af2b98c3b01ca" ON "receipt_status_history" ("receipt_id") `)
    }

    async down(db) {
        await db.query(`DROP TABLE "blocks"`)
        await db.query(`DROP INDEX "public"."IDX_5c0b8f5cedabb33e58a625f8a7"`)
        await db.query(`DROP TABLE "events"`)
        await db.query(`DROP INDEX "public"."IDX_28bb833cceceb846b545e18038"`)
        await db.query(`DROP TABLE "receipts"`)
        await db.query(`DROP INDEX "public"."IDX_8b7fb38571e97ee837011dd04d"`)
        await db.query(`DROP INDEX "public"."IDX_903af9f53af2cece45723defc5"`)
        await db.query(`DROP INDEX "public"."IDX_6abc43992819da10ffd42cae67"`)
        await db.query(`DROP TABLE "receipt_status_history"`)
        await db.query(`DROP INDEX "public"."IDX_c0b6154a2a4c0af2b98c3b01ca"`)
    }
}
