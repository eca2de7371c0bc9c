import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import puppeteer, { type Browser, type PDFOptions } from 'puppeteer-core';
import { EnvDto, rootLogger } from '@app/core';

/** Chromium could not be started or did not render in time. */
export class ReportRenderError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'ReportRenderError';
  }
}

export interface PdfRenderOptions {
  /** HTML of the page header/footer (Chromium templates: .pageNumber, .totalPages, .date, .title). */
  headerTemplate?: string;
  footerTemplate?: string;
  landscape?: boolean;
  /** Milliseconds for loading the HTML and printing it. */
  timeoutMs: number;
}

/** Flags for headless Chromium in containers (see notes/platform.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-extensions',
  '--mute-audio',
];

const LAUNCH_TIMEOUT_MS = 30_000;

/**
 * Headless Chromium through puppeteer-core: one browser per process, launched on first use and
 * reused; one page per render, always closed. A browser that crashed or disconnected is relaunched
 * on the next render. Untagged PDFs (`tagged: false`: 20x smaller and 3x faster for big tables).
 */
@Injectable()
export class ChromiumClient implements OnApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'ChromiumClient' });
  private browser: Promise<Browser> | null = null;

  constructor(private readonly env: EnvDto) {}

  async renderPdf(html: string, opts: PdfRenderOptions): Promise<Uint8Array> {
    const browser = await this.getBrowser();
    let page;
    try {
      page = await browser.newPage();
    } catch (err) {
      this.reset();
      throw new ReportRenderError(`Chromium could not open a page: ${(err as Error).message}`, err);
    }
    try {
      page.setDefaultTimeout(opts.timeoutMs);
      // No network: the report is self-contained HTML.
      await page.setJavaScriptEnabled(false);
      await page.setContent(html, { waitUntil: 'load', timeout: opts.timeoutMs });
      const pdfOptions: PDFOptions = {
        format: 'A4',
        landscape: opts.landscape ?? true,
        printBackground: true,
        displayHeaderFooter: Boolean(opts.headerTemplate || opts.footerTemplate),
        headerTemplate: opts.headerTemplate ?? '<span></span>',
        footerTemplate: opts.footerTemplate ?? '<span></span>',
        margin: { top: '18mm', bottom: '16mm', left: '10mm', right: '10mm' },
        tagged: false,
        outline: false,
        timeout: opts.timeoutMs,
      };
      return await page.pdf(pdfOptions);
    } catch (err) {
      throw new ReportRenderError(`Chromium failed to render the PDF: ${(err as Error).message}`, err);
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  /** Version string of the running browser (launches it if needed). */
  async version(): Promise<string> {
    return (await this.getBrowser()).version();
  }

  async onApplicationShutdown(): Promise<void> {
    const pending = this.browser;
    this.browser = null;
    if (!pending) return;
    try {
      await (await pending).close();
    } catch {
      /* already gone */
    }
  }

  private getBrowser(): Promise<Browser> {
    if (!this.browser) {
      const launching = puppeteer
        .launch({
          executablePath: this.env.CHROMIUM_PATH,
          headless: true,
          args: CHROMIUM_ARGS,
          timeout: LAUNCH_TIMEOUT_MS,
          protocolTimeout: Math.max(LAUNCH_TIMEOUT_MS, this.env.EXPORT_TIMEOUT_SECONDS * 1000),
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
        })
        .then((b) => {
          b.on('disconnected', () => {
            if (this.browser === launching) this.browser = null;
            this.log.warn('Chromium disconnected; it will be relaunched on the next render');
          });
          this.log.info({ executablePath: this.env.CHROMIUM_PATH }, 'Chromium launched');
          return b;
        })
        .catch((err: unknown) => {
          if (this.browser === launching) this.browser = null;
          throw new ReportRenderError(`Chromium could not be started (${this.env.CHROMIUM_PATH}): ${(err as Error).message}`, err);
        });
      this.browser = launching;
    }
    return this.browser;
  }

  private reset(): void {
    const b = this.browser;
    this.browser = null;
    void b?.then((x) => x.close()).catch(() => undefined);
  }
}
