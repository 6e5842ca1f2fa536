import { type Browser, type Page, expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PASSWORD, call, createUser, hydrated, signIn, uniqueEmail } from './helpers';

/** The shared corpus (real packages from other projects), next to the checkout or where the workplace keeps it. */
function corpusFile(name: string): string | undefined {
  const roots = [
    process.env.LYCEUM_CORPUS,
    join(__dirname, '..', '..', '..', 'shared', 'corpus'),
    '/work/shared/corpus',
  ].filter((r): r is string => !!r);
  return roots.map((r) => join(r, 'scorm', name)).find((p) => existsSync(p));
}

/** One version's golf sample: its zip, title, and the elements that hold the bookmark and the status. */
interface Golf {
  version: string;
  zip: string;
  title: string;
  location: string;
  status: string;
}

const GOLF: Golf[] = [
  {
    version: 'SCORM 1.2',
    zip: 'singlescobasic.zip',
    title: 'Golf Explained - Run-time Basic Calls',
    location: 'cmi.core.lesson_location',
    status: 'cmi.core.lesson_status',
  },
  {
    version: 'SCORM 2004 3rd edition',
    zip: 'RuntimeBasicCalls_SCORM20043rdEdition.zip',
    title: 'Golf Explained - Run-time Basic Calls',
    location: 'cmi.location',
    status: 'cmi.completion_status',
  },
];

for (const golf of GOLF) test(`a real ${golf.version} package (Rustici golf, basic run-time calls) plays, bookmarks, and resumes after the tab is closed`, async ({ page, browser }) => {
  const zip = corpusFile(golf.zip);
  test.skip(!zip, 'No SCORM corpus here (set LYCEUM_CORPUS)');
  test.setTimeout(180_000);
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  const course = await call(page.request, 'courses/create', {
    'form[code]': `GOLF-${Date.now() % 1000000}`,
    'form[title]': 'Golf for beginners',
    'form[summary]': 'Rules of the game.',
  });
  const section = await call(page.request, 'courses/add_section', { course_id: String(course.id), title: 'Rules' });
  const itemId = await call(page.request, 'items/add', {
    section_id: String(section),
    'form[kind]': 'scorm',
    'form[title]': 'Golf explained',
    'form[required]': 'true',
    'form[completion]': 'manual',
  });
  const uploaded = await page.request.post(`/items/${itemId}/package`, {
    headers: { Accept: 'application/json' },
    multipart: { file: { name: golf.zip, mimeType: 'application/zip', buffer: readFileSync(zip!) } },
  });
  expect(uploaded.status(), await uploaded.text()).toBe(201);
  const pkg = await uploaded.json();
  expect(pkg.structure.title).toBe(golf.title);
  await call(page.request, 'courses/enrolment_settings', { id: String(course.id), 'form[self_enrol]': 'true', 'form[enrol_key]': '' });
  await call(page.request, 'courses/set_state', { id: String(course.id), state: 'published' });

  const context = await browser.newContext();
  const me = await context.newPage();
  const learner = uniqueEmail('learner');
  await createUser(me.request, learner, ['learner']);
  await signIn(me, learner, PASSWORD);
  await expect(me.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await call(me.request, 'enrolments/self', { course_id: String(course.id), key: '' });
  // The package would say "Unable to acquire LMS API" in an alert without the run-time.
  const dialogs: string[] = [];
  me.on('dialog', (d) => { dialogs.push(d.message()); void d.accept(); });
  const player = `/courses/${course.id}/learn/${itemId}`;
  await me.goto(player);
  await hydrated(me);
  const sco = me.frameLocator('iframe.scorm-frame');
  const content = sco.frameLocator('#contentFrame');
  await expect(content.getByRole('heading', { name: 'Play of the game' })).toBeVisible();
  await sco.locator('#butNext').click();
  await sco.locator('#butNext').click();
  await expect(content.getByRole('heading', { name: 'Scoring' })).toBeVisible();

  // Closing the tab (as a browser does, running the page's beforeunload): the package's own
  // goodbye (session time, exit = suspend, LMSFinish) reaches the server.
  await me.close({ runBeforeUnload: true });
  await expect.poll(async () => {
    const launch = await call(context.request, 'scorm/launch', { item_id: String(itemId), sco: 'item_1' });
    return `${launch.launch.entry} ${launch.values[golf.location]} ${launch.values[golf.status]}`;
  }, { timeout: 15_000 }).toBe('resume 2 incomplete');

  const again = await context.newPage();
  again.on('dialog', (d) => { dialogs.push(d.message()); void d.accept(); });
  await again.goto(player);
  await hydrated(again);
  const resumed = again.frameLocator('iframe.scorm-frame').frameLocator('#contentFrame');
  await expect(resumed.getByRole('heading', { name: 'Scoring' })).toBeVisible();
  expect(dialogs).toEqual(['Would you like to resume from where you previously left off?']);
  await context.close();
});

/** A corpus folder zipped as its authoring tool would (Python's zipfile: no zip library in the test's packages). */
function zipFolder(folder: string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'lyceum-corpus-')), 'package');
  execFileSync('python3', ['-c', 'import shutil, sys; shutil.make_archive(sys.argv[1], "zip", sys.argv[2])', out, folder]);
  return `${out}.zip`;
}

/** A published course with one SCORM item holding the package in `folder`, and a new learner
 * (in a context of their own) enrolled and looking at its player. */
async function learnerInPackage(page: Page, browser: Browser, folder: string, title: string) {
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  await call(page.request, 'auth/sign_in', { email: instructor, password: PASSWORD });
  const course = await call(page.request, 'courses/create', {
    'form[code]': `SEQ-${Date.now() % 1000000}`,
    'form[title]': title,
    'form[summary]': 'Rules of the game.',
  });
  const section = await call(page.request, 'courses/add_section', { course_id: String(course.id), title: 'Rules' });
  const itemId = await call(page.request, 'items/add', {
    section_id: String(section),
    'form[kind]': 'scorm',
    'form[title]': title,
    'form[required]': 'true',
    'form[completion]': 'manual',
  });
  const uploaded = await page.request.post(`/items/${itemId}/package`, {
    headers: { Accept: 'application/json' },
    multipart: { file: { name: 'package.zip', mimeType: 'application/zip', buffer: readFileSync(zipFolder(folder)) } },
  });
  expect(uploaded.status(), await uploaded.text()).toBe(201);
  await call(page.request, 'courses/enrolment_settings', { id: String(course.id), 'form[self_enrol]': 'true', 'form[enrol_key]': '' });
  await call(page.request, 'courses/set_state', { id: String(course.id), state: 'published' });

  const context = await browser.newContext();
  const me = await context.newPage();
  const learner = uniqueEmail('learner');
  await createUser(me.request, learner, ['learner']);
  await signIn(me, learner, PASSWORD);
  await expect(me.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await call(me.request, 'enrolments/self', { course_id: String(course.id), key: '' });
  me.on('dialog', (d) => void d.accept());
  await me.goto(`/courses/${course.id}/learn/${itemId}`);
  await hydrated(me);
  return { context, me };
}

test('the ADL golf sample "forced sequential" (SCORM 2004 sequencing) opens each part once the one before it is passed', async ({ page, browser }) => {
  const folder = corpusFile('scorm2004/SequencingForcedSequential_SCORM20043rdEdition');
  test.skip(!folder, 'No SCORM corpus here (set LYCEUM_CORPUS)');
  test.setTimeout(180_000);
  const { context, me } = await learnerInPackage(page, browser, folder!, 'Golf in order');
  const contents = me.getByRole('navigation', { name: 'Contents of the package' });
  await expect(contents.getByText('Etiquette (not open yet)')).toBeVisible();
  await expect(contents.getByRole('link', { name: 'Etiquette' })).toHaveCount(0);
  const continueButton = me.getByRole('button', { name: 'Continue' });
  await expect(continueButton).toBeDisabled();

  const sco = me.frameLocator('iframe.scorm-frame');
  await expect(sco.frameLocator('#contentFrame').getByRole('heading', { name: 'Play of the game' })).toBeVisible();
  // The SCO can ask whether Continue would work (adl.nav.request_valid.continue).
  const valid = (element: string) =>
    sco.locator('body').evaluate((_, e) => (window.parent as any).API_1484_11.GetValue(e) as string, element);
  expect(await valid('adl.nav.request_valid.continue')).toBe('false');
  expect(await valid('adl.nav.request_valid.previous')).toBe('false');
  // The last page completes and passes the part and commits: the next part opens.
  for (let i = 0; i < 4; i++) await sco.locator('#butNext').click();
  await expect(continueButton).toBeEnabled({ timeout: 15_000 });
  expect(await valid('adl.nav.request_valid.continue')).toBe('true');
  expect(await valid('adl.nav.request_valid.choice.{target=etuqiette_item}')).toBe('true');
  expect(await valid('adl.nav.request_valid.choice.{target=handicapping_item}')).toBe('false');
  await expect(contents.getByRole('link', { name: 'Etiquette' })).toBeVisible();
  await expect(contents.getByText('Handicapping (not open yet)')).toBeVisible();
  await continueButton.click();
  await expect(sco.frameLocator('#contentFrame').getByRole('heading', { name: /Etiquette - Care For the Course/ })).toBeVisible();
  await expect(continueButton).toBeDisabled();
  await context.close();
});

test('the golf sample "random test" draws a test per attempt, retries a failed one once, then leaves the package', async ({ page, browser }) => {
  const folder = corpusFile('scorm2004/SequencingRandomTest_SCORM20043rdEdition');
  test.skip(!folder, 'No SCORM corpus here (set LYCEUM_CORPUS)');
  test.setTimeout(240_000);
  const { context, me } = await learnerInPackage(page, browser, folder!, 'Golf, random test');
  const sco = me.frameLocator('iframe.scorm-frame');
  const content = sco.frameLocator('#contentFrame');
  const continueButton = me.getByRole('button', { name: 'Continue' });
  // The four lessons, each read to its last page (which completes it), then Continue.
  for (const heading of ['Play of the game', /Etiquette/, /Handicapping/, /How to Have Fun/]) {
    await expect(content.getByRole('heading', { name: heading }).first()).toBeVisible();
    const next = sco.locator('#butNext');
    while (await next.isEnabled()) await next.click();
    await expect(continueButton).toBeEnabled({ timeout: 15_000 });
    await continueButton.click();
  }
  // A test drawn from four; answering nothing fails it (under 70%: JavaScript's "" == 0 gives
  // a blank answer of 0 the marks). Continue: the post-test's rules retry it with another draw.
  const submit = content.getByRole('button', { name: 'Submit Answers' });
  await expect(submit).toBeVisible();
  await submit.click();
  await expect(content.getByRole('heading', { name: /^Score: \d+$/ })).toBeVisible();
  await continueButton.click();
  await expect(submit).toBeVisible({ timeout: 15_000 });
  // Failed again: two attempts used, the package is left, and the post-test stays closed.
  await submit.click();
  await expect(content.getByRole('heading', { name: /^Score: \d+$/ })).toBeVisible();
  await continueButton.click();
  await expect(me.getByRole('status').getByText('You left the package; what you did is saved.')).toBeVisible({ timeout: 15_000 });
  await me.getByRole('button', { name: 'Open it again' }).click();
  await expect(me.getByRole('alert').filter({ hasText: 'This part is not open yet' })).toBeVisible();
  await context.close();
});
