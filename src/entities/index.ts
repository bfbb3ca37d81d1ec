import { AuditEvent } from './audit-event.entity';
import { ContactThrottle } from './contact-throttle.entity';
import { Customer } from './customer.entity';
import { Delivery } from './delivery.entity';
import { EmailNotice } from './email-notice.entity';
import { ErasureTombstone } from './erasure-tombstone.entity';
import { InboundMessage } from './inbound-message.entity';
import { Invitation } from './invitation.entity';
import { Lease } from './lease.entity';
import { Outage } from './outage.entity';
import { OutageMessage } from './outage-message.entity';
import { ReplyOutbox } from './reply-outbox.entity';
import { StaffRole } from './staff-role.entity';
import { MessageCount } from './message-count.entity';
import { Subscriber } from './subscriber.entity';
import { SubscriptionEvent } from './subscription-event.entity';
import { WhatsAppState } from './whatsapp-state.entity';

export * from './audit-event.entity';
export * from './contact-throttle.entity';
export * from './customer.entity';
export * from './delivery.entity';
export * from './email-notice.entity';
export * from './erasure-tombstone.entity';
export * from './inbound-message.entity';
export * from './invitation.entity';
export * from './lease.entity';
export * from './outage.entity';
export * from './outage-message.entity';
export * from './reply-outbox.entity';
export * from './staff-role.entity';
export * from './message-count.entity';
export * from './subscriber.entity';
export * from './subscription-event.entity';
export * from './whatsapp-state.entity';

export const ENTITIES = [
  AuditEvent,
  ContactThrottle,
  Customer,
  Delivery,
  EmailNotice,
  ErasureTombstone,
  InboundMessage,
  Invitation,
  Lease,
  Outage,
  OutageMessage,
  ReplyOutbox,
  StaffRole,
  MessageCount,
  Subscriber,
  SubscriptionEvent,
  WhatsAppState,
];
