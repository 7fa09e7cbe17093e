import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, html, raw } from '../../src/dashboard/html.ts';
import { safeNext } from '../../src/dashboard/render.ts';

describe('the html template helper', () => {
  it('escapes every interpolation by default', () => {
    const name = `<script>alert("x")</script> & 'friends' \`tick\``;
    assert.equal(
      html`<p title="${name}">${name}</p>`.value,
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39; &#96;tick&#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39; &#96;tick&#96;</p>',
    );
  });

  it('keeps nested templates and raw() markup, and joins arrays', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    assert.equal(html`<ul>${items}</ul>${raw('<hr>')}`.value, '<ul><li>a&lt;b</li><li>c</li></ul><hr>');
  });

  it('renders nothing for null, undefined and false, and numbers as text', () => {
    assert.equal(html`${null}${undefined}${false}${0}${12}`.value, '012');
  });

  it('escapes the characters that matter in text and quoted attributes', () => {
    assert.equal(escapeHtml(`&<>"'\``), '&amp;&lt;&gt;&quot;&#39;&#96;');
  });
});

describe('the next parameter after sign-in', () => {
  const cases: [string, string][] = [
    ['/members', '/members'],
    ['/audit?action=member.created', '/audit?action=member.created'],
    ['//evil.example', ''],
    ['/\\evil.example', ''],
    ['https://evil.example', ''],
    ['javascript:alert(1)', ''],
    ['/members\r\nSet-Cookie: x', ''],
  ];
  for (const [input, expected] of cases) {
    it(`turns ${JSON.stringify(input)} into ${JSON.stringify(expected)}`, () => {
      assert.equal(safeNext(input), expected);
    });
  }
});
