/**
 * The Odoo emulator in a process of its own for bench/odoo.bench.ts, so that its work does not
 * share the event loop (and the measured time) of the sync under test. Prints one JSON line
 * {"baseUrl": ...} once listening; exits on SIGTERM.
 *   node --import tsx bench/odoo-emulator.child.ts --employees 500 --latency 20 --api-key K --db bench
 */
import { OdooEmulator } from '../test/emulators/odoo.emulator';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

async function main(): Promise<void> {
  const employees = Number(arg('--employees', '500'));
  const emulator = new OdooEmulator({
    apiKey: arg('--api-key', 'bench-key-0000000000000000000000000000'),
    database: arg('--db', 'bench'),
    latencyMs: Number(arg('--latency', '20')),
  });
  for (let i = 0; i < employees; i++) emulator.addEmployee({ name: `Bench ${i}`, barcode: `EMP-${String(i).padStart(5, '0')}` });
  const baseUrl = await emulator.start(0, '127.0.0.1');
  process.stdout.write(`${JSON.stringify({ baseUrl })}\n`);
  process.once('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator child failed: ${String(err)}\n`);
  process.exit(1);
});
