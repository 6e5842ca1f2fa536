import AxeBuilder from '@axe-core/playwright';
import { APIRequestContext, Browser, Page, expect } from '@playwright/test';

export const ADMIN_EMAIL = process.env.LYCEUM_ADMIN_EMAIL ?? 'admin@example.com';
export const ADMIN_PASSWORD = process.env.LYCEUM_ADMIN_PASSWORD ?? 'correct horse battery staple';
export const PASSWORD = 'a long learner passphrase';

/** A fresh address per call, so specs never collide. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Waits until the WASM client has hydrated the page; if it never does, says what the page loaded. */
export async function hydrated(page: Page) {
  try {
    await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 30_000 });
  } catch (error) {
    const loaded = await page
      .evaluate(() =>
        JSON.stringify({
          readyState: document.readyState,
          resources: performance.getEntriesByType('resource').map((entry) => {
            const r = entry as PerformanceResourceTiming;
            return { name: r.name.split('/').pop(), ms: Math.round(r.duration), bytes: r.transferSize, status: r.responseStatus };
          }),
        }),
      )
      .catch(() => 'the page is gone');
    throw new Error(`The page did not hydrate within 30 s; it loaded ${loaded}\n${error}`);
  }
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A page in a new browser context without JavaScript, signed in through the plain sign-in form. Close its context when done. */
export async function signedInWithoutScript(browser: Browser, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  return page;
}

/** Creates a user through the server functions, signed in as the administrator. */
export async function createUser(request: APIRequestContext, email: string, roles: string[] = ['learner']) {
  const signIn = await request.post('/api/auth/sign_in', { form: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  expect(signIn.ok()).toBeTruthy();
  const form: Record<string, string> = {
    'form[email]': email,
    'form[name]': 'Lena Learner',
    'form[password]': PASSWORD,
  };
  roles.forEach((role, i) => (form[`form[roles][${i}]`] = role));
  const created = await request.post('/api/users/create', { form });
  expect(created.ok(), await created.text()).toBeTruthy();
  await request.post('/api/auth/sign_out');
}

/** A learner called `name`, created by the administrator (the request stays signed in as them); returns their id. */
export async function createPerson(request: APIRequestContext, email: string, name: string): Promise<number> {
  await call(request, 'auth/sign_in', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const user = await call(request, 'users/create', {
    'form[email]': email,
    'form[name]': name,
    'form[password]': PASSWORD,
    'form[roles][0]': 'learner',
  });
  return user.id;
}

/** Calls a server function (form-encoded) with the request context's session; returns its JSON. */
export async function call(request: APIRequestContext, path: string, form: Record<string, string>) {
  const reply = await request.post(`/api/${path}`, { form, headers: { Accept: 'application/json' } });
  expect(reply.ok(), `${path}: ${await reply.text()}`).toBeTruthy();
  return reply.json();
}

/** A published course with one lesson (self-enrolment with an optional key), built by a new instructor through the server functions. */
export async function publishedCourse(request: APIRequestContext, title: string, selfEnrol: boolean, enrolKey = '') {
  const instructor = uniqueEmail('teacher');
  await createUser(request, instructor, ['instructor']);
  await call(request, 'auth/sign_in', { email: instructor, password: PASSWORD });
  const code = `LINK-${Date.now() % 1000000}`;
  const course = await call(request, 'courses/create', {
    'form[code]': code,
    'form[title]': title,
    'form[summary]': 'Shared by a link.',
  });
  const section = await call(request, 'courses/add_section', { course_id: String(course.id), title: 'Week 1' });
  const item = await call(request, 'items/add', {
    section_id: String(section),
    'form[kind]': 'lesson',
    'form[title]': 'Welcome',
    'form[body]': 'Hello, learners.',
    'form[required]': 'true',
    'form[completion]': 'view',
  });
  await call(request, 'courses/enrolment_settings', {
    id: String(course.id),
    'form[self_enrol]': String(selfEnrol),
    'form[enrol_key]': enrolKey,
  });
  await call(request, 'courses/set_state', { id: String(course.id), state: 'published' });
  await request.post('/api/auth/sign_out');
  return { courseId: String(course.id), itemId: String(item), code };
}

/** The rules checked on the pages the specs scan; `color-contrast` included, so a failing colour fails. */
const AXE_RULES = ['label-content-name-mismatch', 'label', 'button-name', 'link-name', 'color-contrast'];

export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withRules(AXE_RULES).analyze();
  const found = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(found, found.join('\n')).toEqual([]);
  // label-content-name-mismatch is "experimental" in axe: make sure it ran rather than was skipped.
  const ran = [...results.passes, ...results.incomplete, ...results.inapplicable].map((r) => r.id);
  expect(ran).toContain('label-content-name-mismatch');
}
