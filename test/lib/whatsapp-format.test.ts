import { expect } from 'chai';
import { whatsappToCardMarkdown, whatsappToHtml } from '../../src/lib/whatsapp-format';

describe('WhatsApp formatting', () => {
  it('turns *bold*, _italic_, ~strikethrough~ and ```monospace``` into HTML, keeping line breaks', () => {
    expect(whatsappToHtml('*Storing* KPN internet\nGebied: _Utrecht_, ~Zeeland~ en ```code```')).to.equal(
      '<strong>Storing</strong> KPN internet\nGebied: <em>Utrecht</em>, <s>Zeeland</s> en <code>code</code>',
    );
  });

  it('escapes HTML before formatting, so a message cannot inject markup', () => {
    expect(whatsappToHtml('<img src=x onerror=alert(1)> *a & b*')).to.equal('&lt;img src=x onerror=alert(1)&gt; <strong>a &amp; b</strong>');
  });

  it('keeps quotes as they are and formats inside them, as WhatsApp does', () => {
    expect(whatsappToHtml('Stuur "*afmelden*" of \'_stop_\'')).to.equal('Stuur "<strong>afmelden</strong>" of \'<em>stop</em>\'');
  });

  it('formats only at word edges, as WhatsApp does', () => {
    expect(whatsappToHtml('5 * 3 * 2 en snake_case_name en * los *')).to.equal('5 * 3 * 2 en snake_case_name en * los *');
  });

  it('gives Adaptive Card markdown: *bold* becomes **bold**, _italic_ stays, the rest loses its markers', () => {
    expect(whatsappToCardMarkdown('*Opgelost* KPN _VoIP_ ~oud~ ```x```')).to.equal('**Opgelost** KPN _VoIP_ oud x');
  });
});
