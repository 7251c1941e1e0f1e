// Smoke journey through the TypeScript client that @hey-api/openapi-ts generated from the served
// document (in ./client beside this file at run time). Only the generated client talks to the
// API. The same journey as smoke.py: an organiser of the demo city publishes a task; a new
// volunteer registers with the code the log SMS provider wrote to the server log, signs in,
// browses, signs up, finds the sign-up among their own, cancels it without a body and reads
// the inbox. Any unexpected status fails the run.
//
// Environment: WUSHE_URL, WUSHE_SERVER_LOG, WUSHE_LOGINS, WUSHE_SMOKE_PHONE (see .ci/clients).
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createClient, createConfig } from './client/client';
import {
  browseTasks,
  cancelSignup,
  createTask,
  getMe,
  listMySignups,
  listNotifications,
  login,
  publishTask,
  register,
  requestCode,
  signUp,
} from './client/sdk.gen';
import type { SessionTokens } from './client/types.gen';

const url = process.env.WUSHE_URL!;
const phone = process.env.WUSHE_SMOKE_PHONE!;
const password = 'smoke-journey-2';

type Answer<T> = { data?: T; error?: unknown; response?: Response };

/** The body of an answer with the expected status, or fail with what came. */
function expect<T>(answer: Answer<T>, status: number, what: string): T {
  const got = answer.response?.status;
  if (got !== status || answer.data === undefined) {
    throw new Error(`${what}: expected ${status}, got ${got}: ${JSON.stringify(answer.error)}`);
  }
  return answer.data;
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

/** Phone and password of the first demo account of a role, as seed-demo printed them. */
function demoLogin(role: string): { phone: string; password: string } {
  const lines = readFileSync(process.env.WUSHE_LOGINS!, 'utf8').split('\n');
  const password = lines[0].split(' ').pop()!;
  const line = lines.slice(1).map((l) => l.trim().split(/\s+/)).find((f) => f[0] === role);
  return { phone: line![1], password };
}

/** The latest code the log SMS provider wrote for this (masked) number. */
async function smsCode(phone: string): Promise<string> {
  const masked = `${phone.slice(0, 3)}******${phone.slice(-2)}`;
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const codes = readFileSync(process.env.WUSHE_SERVER_LOG!, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"sms (log provider'))
      .map((l) => JSON.parse(l))
      .filter((e) => e.phone === masked)
      .map((e) => JSON.parse(e.params).code as string);
    if (codes.length > 0) return codes[codes.length - 1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code for ${masked} in the server log`);
}

const signedIn = (tokens: SessionTokens) => createClient(createConfig({ baseUrl: url, auth: tokens.accessToken }));

async function main(): Promise<void> {
  const anonymous = createClient(createConfig({ baseUrl: url }));

  // An organiser publishes a task that starts tomorrow.
  const organiser = signedIn(expect(await login({ client: anonymous, body: demoLogin('SocialWorker') }), 200, 'login'));
  const me = expect(await getMe({ client: organiser }), 200, 'getMe');
  const starts = new Date(Date.now() + 24 * 3600 * 1000);
  starts.setUTCMilliseconds(0);
  const title = `Smoke (typescript) ${randomUUID().slice(0, 8)}`;
  const task = expect(
    await createTask({
      client: organiser,
      body: {
        title,
        description: 'A task the client smoke journey signs up for.',
        actionLine: 'home',
        orgUnitId: me.orgUnitId!,
        startsAt: starts.toISOString(),
        endsAt: new Date(starts.getTime() + 2 * 3600 * 1000).toISOString(),
        capacity: 3,
      },
    }),
    201,
    'createTask',
  );
  expect(await publishTask({ client: organiser, path: { id: task.id } }), 200, 'publishTask');

  // A new volunteer registers with the texted code, then signs in with the password.
  expect(await requestCode({ client: anonymous, body: { phone, purpose: 'registration' } }), 202, 'requestCode');
  const registered = expect(
    await register({
      client: anonymous,
      body: {
        phone,
        code: await smsCode(phone),
        registration: { name: 'Smoke TypeScript', birthDate: '1991-06-18', privacyPolicyVersion: '2026-11', password },
      },
    }),
    201,
    'register',
  );
  check(registered.user.name === 'Smoke TypeScript', `registered as ${registered.user.name}`);
  const volunteer = signedIn(expect(await login({ client: anonymous, body: { phone, password } }), 200, 'login'));

  // Browse, sign up, and find the sign-up among one's own.
  const page = expect(await browseTasks({ client: volunteer, query: { limit: 100 } }), 200, 'browseTasks');
  check(
    page.items.some((t) => t.id === task.id && t.title === title),
    `the published task is not browsable: ${page.items.map((t) => t.title)}`,
  );
  const signup = expect(
    await signUp({ client: volunteer, path: { id: task.id }, headers: { 'Idempotency-Key': randomUUID() } }),
    201,
    'signUp',
  );
  check(signup.status === 'confirmed', `signed up as ${signup.status}`);
  const mine = expect(await listMySignups({ client: volunteer }), 200, 'listMySignups');
  check(mine.items.length === 1 && mine.items[0].signup.id === signup.id, 'the sign-up is not among mine');
  check(mine.items[0].task.id === task.id, 'my sign-up names another task');

  // Cancelling needs no body.
  const changed = expect(await cancelSignup({ client: volunteer, path: { id: signup.id } }), 200, 'cancelSignup');
  check(changed.signup.status === 'cancelled', `cancelled as ${changed.signup.status}`);

  // The inbox answers a page.
  const inbox = expect(await listNotifications({ client: volunteer, query: { limit: 20 } }), 200, 'listNotifications');
  check(Array.isArray(inbox.items), 'the inbox is not a list');
  console.log(
    `typescript client: organiser published ${task.id}; volunteer ${registered.user.id} signed up, cancelled; inbox holds ${inbox.items.length}`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
