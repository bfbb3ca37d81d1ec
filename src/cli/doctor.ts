/** `npm run doctor`: exit 0 only when every check passes (see src/doctor/). */
import { ConfigError, loadConfig, loadDotEnv } from '../config';
import { formatReport, runDoctor } from '../doctor/doctor';

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stdout.write(`Storingsmelder doctor\n${error.problems.map((p) => `✗ configuration  ${p}`).join('\n')}\n  fix: correct these variables (see .env.example); nothing else was checked.\n`);
    process.exit(1);
  }
  const results = await runDoctor(config);
  process.stdout.write(`${formatReport(config, results)}\n`);
  process.exit(results.some((r) => r.status === 'fail') ? 1 : 0);
}

main().catch((error: Error) => {
  process.stderr.write(`npm run doctor: ${error.message}\n`);
  process.exit(1);
});
