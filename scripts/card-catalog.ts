/**
 * Every card the bot can build, in each of its states: checked by the tests with the
 * adaptivecards package and by CI against the official Adaptive Cards 1.5 JSON schema.
 */
import { composeCard, confirmEraseCard, helpCard, messageCard, openOutagesCard, outsideDomainsCard, previewCard, statusCard, type Card } from '../src/bots/cards';

/** When the catalogue's figures were read: an hour after the sample notice finished, so it still refreshes. */
const AS_OF = '2026-12-02T09:15:00.000Z';
const progress = { total: 10, queued: 2, sending: 1, sent: 3, delivered: 2, read: 1, failed: 1, cancelled: 0, billable: 3, billedAs: 'utility' };
/** A notice as the template renders it: bold, line breaks and a blank line. */
export const NOTICE_TEXT = '*Storing* KPN internet\nGebied: Utrecht\nImpact: Hoog\n\nGeen internet in de regio. _Monteurs_ zijn onderweg.\n\nCBG Connect. Afmelden? Stuur "afmelden".';

export function allCards(): Record<string, Card> {
  return {
    compose: composeCard({ kind: 'initial' }),
    composeWithErrors: composeCard({ kind: 'initial', values: { text: 'kort' }, errors: { text: 'Beschrijf de storing in minimaal 10 tekens.', regions: 'Kies minstens één provincie.' } }),
    composeUpdate: composeCard({ kind: 'update', outageId: 'o-1', about: 'KPN VoIP (bellen) · Landelijk · Laag', values: { service: 'voip', scope: 'landelijk', severity: 'laag' } }),
    composeFollowUp: composeCard({ kind: 'resolved', outageId: 'o-1', about: 'KPN VoIP (bellen) · Landelijk · Laag', values: { service: 'voip', scope: 'landelijk', severity: 'laag' } }),
    preview: previewCard({ kind: 'initial', requestId: 'r', values: { text: 'x' }, text: NOTICE_TEXT, recipients: 12, releaseText: 'Direct na Versturen', warnings: ['Let op'] }),
    previewBlocked: previewCard({ kind: 'initial', requestId: 'r', values: { text: 'x' }, text: NOTICE_TEXT, recipients: 12, releaseText: 'Direct na Versturen', warnings: [], blocked: 'Het WhatsApp-sjabloon is gepauzeerd.' }),
    statusSending: statusCard({ outageId: 'o', messageId: 'm', kind: 'initial', status: 'sending', statusText: 'Wordt verstuurd.', text: NOTICE_TEXT, progress, outageOpen: true, finishedAt: null, asOf: AS_OF, failures: [], retryable: 0, retried: false }),
    statusAwaiting: statusCard({ outageId: 'o', messageId: 'm', kind: 'update', status: 'awaiting_approval', statusText: 'Wacht', text: 't', progress, outageOpen: true, finishedAt: null, asOf: AS_OF, failures: [], retryable: 0, retried: false }),
    statusPaused: statusCard({ outageId: 'o', messageId: 'm', kind: 'initial', status: 'paused', statusText: 'Gepauzeerd', text: 't', progress, outageOpen: true, finishedAt: null, asOf: AS_OF, failures: [], retryable: 0, retried: false }),
    statusResolved: statusCard({ outageId: 'o', messageId: 'm', kind: 'resolved', status: 'done', statusText: 'Verstuurd.', text: 't', progress, outageOpen: false, finishedAt: null, asOf: AS_OF, failures: [], retryable: 0, retried: false }),
    statusFailures: statusCard(
      {
        outageId: 'o', messageId: 'm', kind: 'initial', status: 'done', statusText: 'Verstuurd.', text: NOTICE_TEXT, progress, outageOpen: true, finishedAt: '2026-12-02T08:15:00.000Z', asOf: AS_OF,
        failures: [{ reason: 'Niet bereikbaar op WhatsApp', count: 2, canPass: true, masked: ['+31 6 ****1111', '+31 6 ****2222'] }, { reason: 'Andere fout (code 131021)', count: 1, canPass: false, masked: ['+31 6 ****3333'] }],
        retryable: 2,
        retried: false,
      },
      { personal: true, viewerIds: ['29:staff'] },
    ),
    openOutages: openOutagesCard([
      { outageId: 'o-1', title: 'KPN internet · Utrecht · Hoog', openedAt: 'woensdag 2 december om 09:14', latest: { outageId: 'o-1', messageId: 'm', kind: 'initial', status: 'done', statusText: 'Verstuurd.', text: 't', progress, outageOpen: true, finishedAt: '2026-12-02T08:15:00.000Z', asOf: AS_OF, failures: [], retryable: 0, retried: false } },
      { outageId: 'o-2', title: 'KPN VoIP (bellen) · Landelijk · Middel', openedAt: 'woensdag 2 december om 10:02', latest: null },
    ]),
    openOutagesNone: openOutagesCard([]),
    help: helpCard(),
    message: messageCard('Titel', ['regel'], 'Attention'),
    confirmErase: confirmEraseCard('3fa85f64-5717-4562-b3fc-2c963f66afa6', '+31 6 ****5678'),
    outsideDomains: outsideDomainsCard('joop@jansentransport.nl', { customerName: 'Garage Jansen', customerNumber: 'C-4001', domains: ['garagejansen.nl'], matching: [{ name: 'Jansen Transport', customerNumber: 'C-4002' }] }),
  };
}

