/**
 * R11: what a subscriber's message means for their subscription. An opt-out erases the person
 * at once and cannot be undone, and a missed opt-out is an AVG breach, so a message is read as
 * one of four intents:
 * - optOut: plainly asks to stop, to be removed or unsubscribed, in any plain or polite form
 *   (a keyword on its own, "meld mij af", "gelieve mij af te melden", "wilt u mij uitschrijven?",
 *   "verwijder mijn nummer", "stop met sturen", "ik wil geen berichten meer", English);
 * - confirm: might be a wish to leave, but not plainly ("hoe meld ik me af?", "ik werk hier
 *   niet meer"): the reply asks for a one-word confirmation (confirmation.ts);
 * - status: a question or complaint about receiving notices ("krijg ik nog meldingen?");
 * - other: everything else, among it questions about the outage that merely say "stop",
 *   negated or retracted opt-outs, a colleague's wish, auto-replies and forwarded notices.
 * Measured on the labelled corpus in test/fixtures/words/ (test/services/signup/opt-out-corpus.test.ts).
 */
import { normalise } from '../../lib/text';

export type Intent = 'optOut' | 'confirm' | 'status' | 'other';

/** The bare words of an opt-out, alone in a sentence ("Afmelden aub.", "STOP"); Frisian "ôfmelde" too. */
const KEYWORDS = ['afmelden', 'afmelding', 'uitschrijven', 'uitschrijving', 'stoppen', 'opzeggen', 'unsubscribe', 'optout', 'ofmelde', 'ofmelden', 'kappen'];
/** Words around a keyword that change nothing: politeness, greetings, thanks. */
const FILLERS = new Set(
  'aub svp pls plz please graag graach alstublieft alsjeblieft asjebleaft merci dank danku dankje dankjewel bedankt thanks thx hoi hallo hi hey goedemorgen goedemiddag goedenavond beste ok oke okay nu nou maar hoor even dan hierbij hiermee ermee sorry nogmaals x xx ajb wel'.split(' '),
);
/** Where a sign-off starts ("mvg Karin", "groet, Henk"): the rest of the sentence is a name. */
const SIGN_OFF = new Set(['mvg', 'groet', 'groeten', 'groetjes', 'gr', 'bvd', 'vriendelijke', 'cheers', 'regards', 'hoogachtend']);

/** Texts of ours that come back: our notices' footer, in a forwarded or quoted notice. */
const OUR_FOOTER = /afmelden\?\s*stu(ur)?\s*["'“”„]?(afmelden)?["'“”]?/gi;
const FORWARDED_NOTICE = /\b(gebied|impact)\s*:/i;
const AUTO_REPLY = /^(automatisch(e)? (bericht|antwoord)|dit is een automatisch|auto ?reply|out of office|bedankt voor uw bericht|hi thanks for reaching out)/;
const WRONG_CHAT = /\b(verkeerde (chat|groep|app)|wrong (chat|group))\b/;

/** Signs the sender wants to stay: a negated opt-out verb, a mistake, "keep sending". */
const KEEP = [
  /\b(niet|nooit)\s+((me|mij|ons|mezelf|zelf)\s+)?(af|afmelden|afmelding|afgemeld|uitschrijven|uit te schrijven|uitgeschreven|stoppen|stop|opzeggen|verwijderen|verwijderd)\b/,
  /\b(grapje|geintje|just kidding)\b/,
  /\b(stop|stoppen)\s+niet\b/,
  /\b(verwijder|haal|meld|schrijf|wis|schrap)\s+(\w+\s+){0,3}?niet\b/,
  /\b(keep|blijf)\s+(whatsapp|de whatsapp|deze berichten)\b/,
  /\bper ongeluk\b/,
  /\bblijf\s+(\w+\s+)?(sturen|aangemeld)\b/,
  /\b(wil|graag)\s+(\w+\s+){0,3}?blijven\b/,
  /\bik blijf\b/,
  /\b(bijna|maar zitten|laat maar)\b/,
  /\bliever aangemeld\b/,
  /\bnee\s+(hoor|joh|dank)\b/,
  /\bnegeer\b/,
];

/** Someone else's subscription, not the sender's: "moet mijn collega zich ook afmelden?". */
const SOMEONE_ELSE = /\b(collega|collegas|zich|zijn nummer|haar nummer)\b/;
/** A colleague to be taken off: "hoe kan ik mijn collega afmelden?". */
const COLLEAGUE_LEAVES = /\b(collega|collegas)\s+(\w+\s+){0,4}?(afmelden|af te melden|uitschrijven|uit te schrijven|verwijderen|eraf halen)\b/;
const FIRST_PERSON = /\b(ik|mij|me|zelf|mezelf)\b/;

/** The verbs and nouns of leaving, for requests. */
const LEAVE = String.raw`(afmelden|af te melden|afgemeld|uitschrijven|uit te schrijven|uitgeschreven|intrekken|opzeggen|schrappen|verwijderen|te verwijderen|verwijderd|wissen)`;
/** Who the request is about: the sender. */
const ME = String.raw`(mij|me|ons|mijn (nummer|gegevens|persoonsgegevens|naam|aanmelding|inschrijving)|dit nummer|het nummer)`;
/** Words that ask, politely or as a wish. */
const ASK = String.raw`(graag|graach|gelieve|verzoek|wil(t)? (u|je|jij|jullie)|kunt u|kun je|kan je|kunnen jullie|zou(den)? (u|je|jullie)|ik wil|wil ik|ik wens|ik zou|bij deze|hierbij)`;

/** "uit de verzendlijst halen", "uit het systeem halen", "van de lijst af". */
const OUT_OF_THE_LIST = String.raw`(uit|van)\s+(de|het|deze|jullie|uw|dit)\s+\w*(lijst|systeem|bestand|database|register)\s+(halen|af|verwijderen|schrappen)`;

/** Plain requests and wishes to leave, as Dutch and English speakers write them (a sentence that is not a question). */
const REQUESTS = [
  // "meld mij af", "Bij deze meld ik mij af", "schrijf ons maar uit"
  /\b(meld|schrijf)\s+(ik\s+)?(me|mij|ons|mezelf)\s+(\w+\s+){0,3}?(af|uit)\b/,
  // "gelieve mij af te melden", "graag afmelden", "ik zou graag afgemeld worden", "ik wil me uitschrijven"
  new RegExp(String.raw`\b${ASK}\b(\s+\w+){0,8}?\s+(afmelden|af te melden|afgemeld|uitschrijven|uit te schrijven|uitgeschreven|intrekken|opzeggen)\b`),
  // "graag mijn nummer verwijderen", "verzoek ik u mijn gegevens uit uw bestand te verwijderen"
  new RegExp(String.raw`\b${ASK}\b(\s+\w+){0,3}?\s+${ME}\b(\s+\w+){0,5}?\s+(te\s+)?(laten\s+)?${LEAVE}\b`),
  // "ik wil (graag) stoppen (met deze berichten)", "deze berichten mogen voor mij stoppen"
  /\b(ik wil|wil ik|ik wens)\s+(graag\s+)?(hier(mee)?\s+|er\s+)?(mee\s+)?stoppen(\s+met\s+(deze|de|die|jullie|dit)?\s*(\w*berichten|\w*meldingen|sturen|appen|whatsapp\w*))?$/,
  /\b(ik wil|ik wens|graag|gelieve)\s+(graag\s+)?(hier(mee)?\s+)?stoppen\s+((met|de|die|deze)\s+)?(deze|de|die|jullie|dit)?\s*(\w*berichten|\w*meldingen|sturen|appen|whatsapp\w*)\b/,
  /\beruit met (mij|me)\b/,
  /\b(berichten|meldingen)\s+(mogen|kunnen|moeten)\s+(\w+\s+){0,3}?(stoppen|ophouden)\b/,
  // "verwijder mijn nummer", "haal mij van de lijst", "wis mijn gegevens", "verwijder het svp"
  /\b(verwijder|schrap|wis)\s+(me|mij|mijn (nummer|gegevens|persoonsgegevens|aanmelding|inschrijving)|dit nummer|het nummer)\b(?!\s+(op|bij|uit de melding))/,
  /\bhaal\s+(me|mij|mijn nummer|dit nummer|ons)\s+(\w+\s+){0,2}?(van|uit)\s+(de|deze|jullie|die|uw)\s+\w*(lijst|bestand|systeem|app\w*|groep)\b/,
  /\bhaal\s+(me|mij|ons)\s+((maar|toch|nu|even)\s+)*(eraf|er af|eruit|er uit|er\s+(maar\s+|toch\s+)?(af|uit))\b/,
  /\b(mij|me|mijn nummer|dit nummer)\s+(weg|eraf|eruit|er af|er uit)\s+(te\s+)?(halen|doen|gooien)\b/,
  // "mijn nummer uit jullie lijst halen graag"
  new RegExp(String.raw`\b${ME}\s+(\w+\s+){0,2}?${OUT_OF_THE_LIST}\b`),
  // "verzoek ik om verwijdering van mijn persoonsgegevens", "beeindiging van deze berichten"
  /\b(verwijdering|afmelding|uitschrijving|beeindiging|stopzetting)\s+van\s+(mijn|deze|de|dit)\b/,
  // "ik trek mijn aanmelding in", "graag mijn aanmelding intrekken", "abonnement opzeggen"
  /\btrek\s+(ik\s+)?(mijn|de)\s+(aanmelding|inschrijving|toestemming)\s+in\b/,
  /\b(aanmelding|inschrijving|abonnement|toestemming)\s+(\w+\s+)?(intrekken|opzeggen|stopzetten|beeindigen)\b/,
  // "stop met sturen", "hou op met die berichten", "kappen nou met die spam", "stop deze berichten"
  /\b(stop|hou|houd|kap|kappen)\s+((nu|nou|maar|toch|eens|gewoon|per direct)\s+){0,3}(op\s+)?(hiermee|ermee|met\s+((die|deze|dit|de|jullie)\s+)?(sturen|appen|sms\w*|\w*berichten|\w*meldingen|spam|appjes|whatsapp\w*|me|mij)|met\s+(die|deze|dit|dat)\s*$)/,
  /\bstop\s+(deze|die|de|jullie)\s+(\w*berichten|\w*meldingen|spam|appjes)\b/,
  // "stuur mij geen berichten meer", "stuur mij niks meer", "geen berichten meer (te) sturen", "niet meer sturen"
  /\b(stuur|sturen)\s+(mij|me|ons)?\s*(geen|niks|niets)\s+(\w+\s+){0,2}?meer\b/,
  /\b(geen|niks|niets)\s+(\w+\s+){0,2}?meer\s+(te\s+)?(sturen|versturen|appen)\b/,
  /\bniet meer\s+(\w+\s+){0,4}?(te\s+)?(sturen|versturen|appen|sms\w*)\b/,
  // "mijn gegevens mogen gewist worden", "mijn nummer mag eruit"
  /\b(gegevens|nummer|aanmelding)\s+(mogen|mag|kunnen|kan|moeten|moet)\s+(\w+\s+){0,2}?(gewist|verwijderd|weg|eruit|geschrapt)\b/,
  // "ik wil (graag) geen storingsberichten meer (ontvangen)", "ik hoef die berichten zelf niet meer te krijgen"
  // (between "geen" and the verb only words about our messages: not "geen storing meer hebben")
  /\b(wil|wens|hoef)\s+(\w+\s+){0,3}?(geen|niet meer|niet langer)\s+((die|deze|dit|de|ze|hier|zelf|meer|jullie|\w*bericht\w*|\w*melding\w*|appjes|updates|whatsapps?|van|hiervan|het|mij|me)\s+){0,4}?(te\s+)?(ontvangen|krijgen|hebben)\b/,
  /\b(wil|wens)\s+(\w+\s+){0,2}?geen\s+(\w*berichten|\w*meldingen|appjes|whatsapps?)(\s+(meer|van|hiervan))?\b/,
  /\b(wil|wens)\s+(\w+\s+){0,2}?niet (meer|langer)\s+(\w+\s+){0,2}?(berichten|meldingen)\b/,
  // "ik wil van deze lijst af", "wil er vanaf", "ik wil eraf", "ik wil niet meer op deze lijst"
  /\b(wil|wens)\s+(\w+\s+){0,2}?(eraf|er af|eruit|er uit|er vanaf|ervanaf|van (deze|de|jullie|die|dit) \w*lijst af)\b/,
  /\bwil\s+(\w+\s+){0,2}?niet (meer|langer) op (deze|de|jullie|die) \w*lijst\b/,
  // English
  /\b(unsubscribe|opt me out|take me off|delete my (number|data|details)|no more (messages|texts|notifications|whatsapps?|updates))\b/,
  /\bremove me\b(?!\s+from the mail)/,
  /\bstop (sending|messaging|texting)\b(\s+(me|us|these|this|the|your|messages|texts|notifications|updates))?\s*$|\bstop (sending|messaging|texting) (me|us|these|this|the|your|messages|texts|notifications|updates)\b/,
  /\b(like|want|wish|would like) to (optout|unsubscribe|be removed|be taken off|stop receiving)\b/,
  /\bstop (these|this|the|your) (messages|texts|notifications)\b/,
  /\b(dont|don t|do not) want (to receive|these|any more|them)\b/,
];

/** "geen meldingen meer (naar mij graag)", "doe mij maar geen berichten meer": no more of ours. */
const NO_MORE_OF_OURS = /\b(geen|niet)\s+(\w+\s+){0,2}?(\w*berichten|\w*meldingen|appjes|whatsapps?|updates|spam)\s+meer\b|\bgeen\s+(\w+\s+){0,2}?meer\s+(\w+\s+){0,2}?(\w*berichten|\w*meldingen|appjes)\b/;
/** "ik krijg geen meldingen meer", "wij ontvangen geen berichten meer": a complaint about receiving, not a wish. */
const RECEIVES = /\b(ik|wij|we|jij)\s+(\w+\s+){0,2}?(krijg|krijgen|kreeg|kregen|ontvang|ontvangen|ontving|ontvingen|zie|zien|heb|hebben|had)\b|\b(krijg|kreeg|ontvang|ontving|heb|had)\s+(ik|wij|we)\b/;
const WISH = /\b(wil|wens|hoef|graag|gelieve|aub|alsjeblieft|alstublieft|doe|stuur|sturen)\b/;

/** "dit nummer is niet meer van de zaak, verwijder het svp": "it", a sentence after naming the number. */
const NUMBER_THEN_REMOVE_IT = /\b(dit|mijn) nummer\b(\s+\w+){0,12}?\s+(verwijder|schrap|wis)\s+het\b(?!\s+(bericht|woord|oude|vorige|laatste))/;

/** In a question, only a request to act counts: "wilt u mij afmelden?", "can you take me off this list?". */
const REQUEST_AS_QUESTION = [
  new RegExp(String.raw`\b(wilt|kunt|kunnen|zou|zouden|wil|kun|kan)\s+(u|je|jij|jullie)\b(\s+\w+){0,6}?\s+${ME}\b(\s+\w+){0,5}?\s+(${LEAVE}|${OUT_OF_THE_LIST}|eruit halen|er uit halen|eraf halen)\b`),
  // "mag dat hier stoppen?", "kan het stoppen aub?": asks that the messages stop
  /\b(mag|kan)\s+(het|dit|dat|da)\s+(\w+\s+)?(stoppen|ophouden)\b/,
  /\b(can|could|would|will) you\b(\s+\w+){0,3}?\s+(remove me|unsubscribe|take me off|delete my|stop (sending|messaging|texting))\b/,
];

/** "afmelden voor de borrel", "mij afmelden voor de papieren factuur": leaving something else. */
const LEAVING_WHAT = /\b(af|afmelden|af te melden|afgemeld|uitschrijven|uit te schrijven)\s+(voor|van|bij)\s+((de|het|mijn|onze|een)\s+)?(\w+(\s+\w+){0,2})/;
const OURS = /^(storing\w*|\w*bericht\w*|\w*melding\w*|whatsapp\w*|\w*lijst|dienst|deze|dit|die|jullie|cbg|sms\w*|app\w*|service|groep|alles|verzend\w*|updates?)$/;

/** Words about leaving, in any sense: a message with one of them that is not a plain request is asked about. */
const LEAVING_WORDS = /\b(afmeld\w*|ofmeld\w*|af te melden|uitschrijv\w*|uit te schrijven|unsubscrib\w*|optout|opzeg\w*|stopp+|lijst af|van de lijst|eraf|uitzetten|pauzeren)\b|\bmeld\s+(\w+\s+){0,2}?af\b|\b(kom|kan)\s+ik\s+(hier|er)\s*(vanaf|af|uit)\b|\b(stop|stoppen)\s+(\w+\s+)?(ermee|er mee|hiermee|met\s+(deze|de|die|jullie|dit|dat)?\s*(\w*berichten|\w*meldingen|sturen|appen))\b|\ber\s*mee\s+(\w+\s+)?stop(pen)?\b/;
/** A message of a few words with stop in it ("stoppen?", "stop ermee?") is asked about. */
const SHORT_STOP = /^(\w+\s+){0,2}?stop(pen)?(\s+\w+){0,1}$/;
/** "Stop" or "stoppen" about the outage, not the messages: "stop de storing", "zorg dat die storingen stoppen". */
const STOP_THE_OUTAGE = /\b(stop|stoppen)\s+(\w+\s+){0,2}?(storing|storingen|uitval)\b|\b(storing|storingen|uitval)\s+(\w+\s+){0,3}?(stopt|stoppen|stop)\b/;
/** Signs the subscription may no longer fit, without asking to leave. */
const MAY_NOT_FIT = [
  /\buit dienst\b/,
  /\b(werk|werkt|werkzaam)\s+(\w+\s+){0,3}?niet meer\b/,
  /\bniet meer (werkzaam|in dienst)\b/,
  /\b(weg bij|vertrek bij)\b/,
  /\bmet pensioen\b/,
  /\bniet meer van (de|het|onze) (zaak|bedrijf|werk)\b/,
  /\bprive ?nummer\b/,
  /\bgeen (kpn|behoefte)\b/,
  /\b(niet|nog|echt|wel) (meer |echt |wel )?nodig\b/,
  /\bhoef(t)?\s+(\w+\s+){0,4}?niet\b/,
  /\b(moe|zat|beu) van\b/,
  /\bgestopt met (de|onze|mijn|ons) (winkel|zaak|bedrijf|praktijk)\b/,
  /\boverge(dragen|nomen)\b/,
  /\bnergens voor aangemeld\b/,
  /\bwaarom (ik|krijg ik|ik krijg) (dit|deze|die)\b/,
  /\bwist\s+(\w+\s+){0,3}?niet\b(\s+\w+){0,8}?\s+aangemeld\b/,
  /\b(niks|niets) aan\b/,
  /\bmoet ik\s+(\w+\s+){0,4}?(krijgen|ontvangen)\b/,
  /\bwie is dit\b/,
  /\blees\s+(\w+\s+){0,3}?nooit\b/,
  /\b(heel|erg|te|veel te|wel erg|wel heel) veel berichten\b/,
  /\b(nog relevant|dit nog wil|allemaal krijgen)\b/,
  /\bwakker van\b/,
];

/** About receiving notices or one's subscription: "krijg ik nog meldingen?", "is mijn afmelding verwerkt?". */
const RECEIVING = /\b(krijg|krijgt|kreeg|kregen|gekregen|ontvang|ontvangen|gehad|gehoord|gemist|mis|missen|aangemeld|afgemeld|aanmelding|afmelding|ingeschreven|inschrijving|op de lijst|(sta|zit) ik er nog|nog op|in \w+ systeem|in uw bestand|er nog in|(ben|zit) ik (er )?(nu |nog )?(uit|eruit)|(afmelden|stop|aanmelden) gestuurd|eruit (gegooid|gehaald)|subscribed|subscription|on the list|received|go through|stil)\b/;
const MISSING_OR_ASKING = /\b(niet|geen|niks|niets|nooit|nog|waarom|klopt|gelukt|verwerkt|anything|still|haven t|havent|hoe kan)\b/;

/** A message ready to read: our footer out, split words joined ("af melden"), a.u.b. as one word. */
function prepare(text: string): string {
  return text
    .replace(OUR_FOOTER, ' ')
    .replace(/\b(a\.?\s?u\.?\s?b|s\.?\s?v\.?\s?p)\.?/gi, ' aub ')
    .replace(/\baf\s+melden\b/gi, 'afmelden')
    .replace(/\buit\s+schrijven\b/gi, 'uitschrijven')
    .replace(/\bop\s+zeggen\b/gi, 'opzeggen')
    .replace(/\bopt[\s-]+out\b/gi, 'optout')
    // Flemish "ni" for "niet".
    .replace(/\bni\b/gi, 'niet');
}

/** A sentence that asks, with or without its question mark ("wat moet ik doen om ..."). */
const ASKING_WORDS = /^(hoe|waar|wat|waarom|wanneer|kan ik|kun ik|moet ik|mag ik|is het|how|what|where|can i)\b/;

interface Sentence {
  text: string;
  words: string[];
  question: boolean;
}

/** The sentences (and comma-separated parts) of a message, each normalised, a question flagged. */
function sentences(text: string): Sentence[] {
  return text
    .split(/(?<=[.!?\n;,])/)
    .map((part) => {
      const clean = normalise(part);
      return { text: clean, words: clean.split(' ').filter(Boolean), question: part.includes('?') || ASKING_WORDS.test(clean) };
    })
    .filter((s) => s.words.length > 0);
}

/** "stop" alone is an opt-out as the first thing said ("Stop, verkeerde nummer"), not after something else ("ons netwerk ligt eruit, stop"). */
const SHORT_KEYWORDS = new Set(['stop', 'kappen']);

/** A keyword, or a word within one typo of a long keyword ("afmleden", "uitschijven"); "stop" only as itself or "stopp". */
function isKeyword(word: string): boolean {
  if (word === 'stop' || /^stopp+$/.test(word)) return true;
  return KEYWORDS.some((k) => word === k || (word.length >= 5 && Math.abs(word.length - k.length) <= 1 && typoDistance(word, k) <= 1));
}

/** A sentence of an opt-out keyword and nothing but politeness, not asked as a question. */
function bareKeyword(sentence: Sentence): boolean {
  const signOff = sentence.words.findIndex((w) => SIGN_OFF.has(w));
  const rest = (signOff > 0 ? sentence.words.slice(0, signOff) : sentence.words).filter((w) => !FILLERS.has(w));
  return !sentence.question && rest.length > 0 && rest.every(isKeyword);
}

/** A sentence that plainly asks to leave this service (and does not take it back). */
function asksToLeave(sentence: Sentence): boolean {
  if (KEEP.some((sign) => sign.test(sentence.text))) return false;
  const leavesSomethingElse = LEAVING_WHAT.exec(sentence.text);
  if (leavesSomethingElse && !leavesSomethingElse[5].split(' ').some((word) => OURS.test(word))) return false;
  if (sentence.question) return REQUEST_AS_QUESTION.some((request) => request.test(sentence.text));
  if (bareKeyword(sentence) || REQUESTS.some((request) => request.test(sentence.text))) return true;
  return NO_MORE_OF_OURS.test(sentence.text) && (WISH.test(sentence.text) || !RECEIVES.test(sentence.text));
}

/**
 * The last word counts: a plain request to leave, not taken back by a later sentence
 * ("Afmelden... grapje, ik wil ze juist blijven krijgen" stays; "laat maar zitten, maar nee: meld
 * me toch maar af" leaves).
 */
function lastWordLeaves(parts: Sentence[]): boolean {
  let leaves = false;
  parts.forEach((part, index) => {
    if (KEEP.some((sign) => sign.test(part.text))) leaves = false;
    else if (asksToLeave(part) && (index === 0 || !onlyShortKeywords(part))) leaves = true;
  });
  return leaves;
}

/** A sentence whose only opt-out word is "stop" (or "kappen"). */
function onlyShortKeywords(sentence: Sentence): boolean {
  return bareKeyword(sentence) && sentence.words.filter((w) => !FILLERS.has(w)).every((w) => SHORT_KEYWORDS.has(w) || /^stopp+$/.test(w));
}

/** What is read of a message: an opt-out is said in its first lines (and this keeps every pattern's cost bounded). */
const READ_AT_MOST = 2000;

export function readIntent(text: string): Intent {
  const raw = prepare(text.slice(0, READ_AT_MOST));
  const clean = normalise(raw);
  if (clean === '' || AUTO_REPLY.test(clean) || WRONG_CHAT.test(clean) || (FORWARDED_NOTICE.test(raw) && /\bstoring\b/i.test(raw))) return 'other';
  const receiving = RECEIVING.test(clean) && (MISSING_OR_ASKING.test(clean) || raw.includes('?'));
  if (COLLEAGUE_LEAVES.test(clean)) return 'other';
  // Someone else's wish is never the sender's opt-out; a sentence that takes one back is none either
  // ("per ongeluk STOP gestuurd"), though a later one may ask again ("... maar nee: meld me toch af").
  const mine = !SOMEONE_ELSE.test(clean) || FIRST_PERSON.test(clean);
  if (mine && (lastWordLeaves(sentences(raw)) || NUMBER_THEN_REMOVE_IT.test(clean))) return 'optOut';
  if (KEEP.some((sign) => sign.test(clean))) return receiving ? 'status' : 'other';
  if (MAY_NOT_FIT.some((sign) => sign.test(clean))) return 'confirm';
  if (receiving) return 'status';
  const something = LEAVING_WHAT.exec(clean);
  const leavesSomethingElse = something !== null && !something[5].split(' ').some((word) => OURS.test(word));
  const leaving = (LEAVING_WORDS.test(clean) || SHORT_STOP.test(clean)) && !STOP_THE_OUTAGE.test(clean) && !leavesSomethingElse;
  return leaving ? 'confirm' : 'other';
}

/** R11 in one word: the message plainly asks to leave. */
export function isOptOut(text: string): boolean {
  return readIntent(text) === 'optOut';
}

/** Edit distance with a swap of two neighbours as one edit ("afmleden"), for short words only. */
export function typoDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_r, i) => Array.from({ length: b.length + 1 }, (_c, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The answer to "Wil je je afmelden? Antwoord JA": 'yes' for JA (with politeness around it),
 * 'no' for NEE; null for anything else. Only asked-for answers count (conversation.ts).
 */
const CONFIRMATION_FILLERS = new Set(['graag', 'aub', 'svp', 'please', 'alsjeblieft', 'alstublieft', 'hoor', 'doe', 'bedankt', 'dank', 'thanks']);

export function readConfirmation(text: string): 'yes' | 'no' | null {
  const words = normalise(prepare(text.slice(0, READ_AT_MOST)))
    .split(' ')
    .filter((w) => w !== '' && CONFIRMATION_FILLERS.has(w) === false);
  if (words.length === 0 || words.length > 2) return null;
  if (['ja', 'jazeker', 'yes', 'jawel', 'jep', 'yep'].includes(words[0]) && (words.length === 1 || isKeyword(words[1]) || words[1] === 'zeker')) return 'yes';
  if (['nee', 'neen', 'no', 'nope'].includes(words[0]) && (words.length === 1 || ['dank', 'bedankt', 'liever', 'toch'].includes(words[1]))) return 'no';
  return null;
}
