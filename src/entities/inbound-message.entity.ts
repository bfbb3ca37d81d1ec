import { Column, Entity, PrimaryColumn } from 'typeorm';

/** WhatsApp message ids already handled: webhook de-duplication. No content, no number (R5). */
@Entity({ name: 'inbound_message' })
export class InboundMessage {
  @PrimaryColumn({ name: 'wa_message_id', type: 'varchar', length: 128 })
  waMessageId!: string;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}
