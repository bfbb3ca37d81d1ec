/** `npm run doctor`: exit 0 only when every check ran and passed (see src/doctor/). */
import { ConfigError, loadConfig, loadDotEnv } from '../config';
import { formatReport, passed, runDoctor } from '../doctor/doctor';
import { systemClock } from '../lib/clock';

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig(process.env, { purpose: 'tool' });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stdout.write(`Storingsmelder doctor\n${error.problems.map((p) => `✗ configuration  ${p}`).join('\n')}\n  fix: correct these variables (see .env.example); nothing else was checked.\n`);
    process.exit(1);
  }
  const serves = process.argv[2] === 'teams' || process.argv[2] === 'whatsapp' ? process.argv[2] : 'all';
  const results = await runDoctor(config, serves, systemClock);
  process.stdout.write(`${formatReport(config, results)}\n`);
  process.exit(passed(results) ? 0 : 1);
}

main().catch((error: Error) => {
  process.stderr.write(`npm run doctor: ${error.message}\n`);
  process.exit(1);
});
