import { describe, expect, it } from '@jest/globals';
import { escapeHtml, footerTemplate, tableReportHead, tableReportRow, tableReportTail } from './html';

describe('table report HTML', () => {
  it('escapes everything that comes from data', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
    expect(escapeHtml(null)).toBe('');
    const row = tableReportRow(['<b>', 95.5], [1]);
    expect(row).toBe('<tr><td>&lt;b&gt;</td><td class="num">95.5</td></tr>');
    const head = tableReportHead({
      title: 'T<1>',
      subtitle: 's',
      filters: [['Search', '<x>']],
      summary: [['Rows', 2]],
      columns: ['A', 'B'],
    });
    expect(head).toContain('<h1>T&lt;1&gt;</h1>');
    expect(head).toContain('<td>&lt;x&gt;</td>');
    expect(head).not.toContain('<x>');
  });

  it('says "none" without filters, notes an empty table, and numbers pages in the footer', () => {
    expect(tableReportHead({ title: 't', subtitle: 's', filters: [], summary: [], columns: ['A'] })).toContain('<td>none</td>');
    expect(tableReportTail(0, 3)).toContain('colspan="3"');
    expect(tableReportTail(5, 3)).not.toContain('No rows');
    expect(footerTemplate('x')).toContain('<span class="pageNumber"></span> of <span class="totalPages"></span>');
  });
});
