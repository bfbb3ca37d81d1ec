import { Initial1763870000000 } from './1763870000000-initial';
import { ContactSentence1763880000000 } from './1763880000000-contact-sentence';
import { DeliveryPartialIndexes1763900000000 } from './1763900000000-delivery-partial-indexes';
import { WhatsAppState1764600000000 } from './1764600000000-whatsapp-state';
import { DeliveryClaimedBy1764700000000 } from './1764700000000-delivery-claimed-by';
import { DeliverySnapshotFaster1764800000000 } from './1764800000000-delivery-snapshot-faster';
import { BusinessScopedUserIds1764900000000 } from './1764900000000-business-scoped-user-ids';
import { TemplateCategoryAnnouncement1765000000000 } from './1765000000000-template-category-announcement';
import { MessagePricing1765100000000 } from './1765100000000-message-pricing';
import { PauseReason1765200000000 } from './1765200000000-pause-reason';
import { ReplyOutbox1765300000000 } from './1765300000000-reply-outbox';
import { ErasureTombstone1765400000000 } from './1765400000000-erasure-tombstone';
import { FailuresRetried1765500000000 } from './1765500000000-failures-retried';
import { DatabaseIdentity1765600000000 } from './1765600000000-database-identity';
import { OptOutConfirmation1765700000000 } from './1765700000000-opt-out-confirmation';
import { TombstonePendingLine1765800000000 } from './1765800000000-tombstone-pending-line';
import { NoticeSupersededBy1765900000000 } from './1765900000000-notice-superseded-by';
import { CardRefresh1766000000000 } from './1766000000000-card-refresh';
import { LedgerErasureAndRetention1766100000000 } from './1766100000000-ledger-erasure-and-retention';
import { NumberAndStaffRoles1766200000000 } from './1766200000000-number-and-staff-roles';
import { LedgerFewerIndexes1766300000000 } from './1766300000000-ledger-fewer-indexes';
import { SnapshotWithoutSubscriberKeyCheck1766400000000 } from './1766400000000-snapshot-without-subscriber-key-check';

/** Every migration, oldest first. A new one is added here as well as in its own file. */
export const MIGRATIONS = [Initial1763870000000, ContactSentence1763880000000, DeliveryPartialIndexes1763900000000, WhatsAppState1764600000000, DeliveryClaimedBy1764700000000, DeliverySnapshotFaster1764800000000, BusinessScopedUserIds1764900000000, TemplateCategoryAnnouncement1765000000000, MessagePricing1765100000000, PauseReason1765200000000, ReplyOutbox1765300000000, ErasureTombstone1765400000000, FailuresRetried1765500000000, DatabaseIdentity1765600000000, OptOutConfirmation1765700000000, TombstonePendingLine1765800000000, NoticeSupersededBy1765900000000, CardRefresh1766000000000, LedgerErasureAndRetention1766100000000, NumberAndStaffRoles1766200000000, LedgerFewerIndexes1766300000000, SnapshotWithoutSubscriberKeyCheck1766400000000];
