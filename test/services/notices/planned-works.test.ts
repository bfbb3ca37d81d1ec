/** R13: the preview warns when a text looks like planned work (services/notices/planned-works.ts). */
import { expect } from 'chai';
import { looksLikePlannedWork } from '../../../src/services/notices/planned-works';

const PLANNED = [
  'Gepland onderhoud aan de centrale in Utrecht.',
  'Vannacht voert KPN onderhoudswerkzaamheden uit aan het glasvezelnetwerk.',
  'Netwerkonderhoud in Zuid-Holland tussen 00:00 en 06:00 uur.',
  'Geplande werkzaamheden: VoIP tijdelijk niet bereikbaar.',
  'Door werkzaamheden aan de wijkcentrale is internet traag.',
  'Werkzaamheid aan de kabel in Almere.',
  'Onderhoudsvenster zondag 02:00-04:00.',
  'KPN ONDERHOUD 12 december',
  'Planned maintenance on the core network tonight.',
  'Upgrade van de centrale in Zwolle, internet valt kort weg.',
  'KPN migreert de telefooncentrale naar het nieuwe platform.',
  'Migratie van VoIP-nummers dit weekend.',
  'Vernieuwing van apparatuur in de wijkkast.',
];

const OUTAGES = [
  'Landelijke storing: geen internet. Monteurs zijn onderweg.',
  'Ongeplande storing in de regio Utrecht door een kabelbreuk.',
  'Unplanned outage: VoIP calls fail in Noord-Holland.',
  'Storing bij KPN, bellen via VoIP lukt niet. Verwachte oplossing 14:00.',
  'De storing is verholpen, alles werkt weer.',
  'Internet valt steeds weg in Friesland; KPN onderzoekt de oorzaak.',
];

describe('R13: planned work in a notice text', () => {
  for (const text of PLANNED) it(`warns: "${text}"`, () => expect(looksLikePlannedWork(text)).to.equal(true));
  for (const text of OUTAGES) it(`does not warn: "${text}"`, () => expect(looksLikePlannedWork(text)).to.equal(false));
});
