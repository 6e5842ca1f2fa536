import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PASSWORD, call, createUser, hydrated, signIn, uniqueEmail } from './helpers';

const MANIFEST = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="golf" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Golf explained</title>
    <item identifier="i1" identifierref="r1"><title>Playing</title></item>
    <item identifier="i2" identifierref="r2"><title>Etiquette</title></item>
  </organization></organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="Playing/index.html"/>
    <resource identifier="r2" type="webcontent" adlcp:scormtype="sco" href="Etiquette/index.html"/>
  </resources>
</manifest>`;

/** A SCO page that talks to the SCORM 1.2 API in its parent frame, as authoring tools' pages do. */
function sco(heading: string): string {
  return `<!doctype html><html><head><title>${heading}</title></head><body>
<h1>${heading}</h1>
<p>Entry: <span id="entry"></span>; bookmark: <span id="location"></span>; <span id="state">started</span></p>
<button id="bookmark">Bookmark page 2</button> <button id="finish">Finish</button>
<script>
var api = window.parent.API;
api.LMSInitialize("");
document.getElementById("entry").textContent = api.LMSGetValue("cmi.core.entry");
document.getElementById("location").textContent = api.LMSGetValue("cmi.core.lesson_location") || "none";
document.getElementById("bookmark").onclick = function () {
  api.LMSSetValue("cmi.core.lesson_location", "page-2");
  api.LMSSetValue("cmi.core.exit", "suspend");
  api.LMSCommit("");
  document.getElementById("state").textContent = "bookmarked";
};
document.getElementById("finish").onclick = function () {
  var ok = api.LMSSetValue("cmi.core.score.raw", "150");
  document.getElementById("state").textContent = "refused " + api.LMSGetLastError();
  api.LMSSetValue("cmi.core.lesson_status", "completed");
  api.LMSSetValue("cmi.core.score.raw", "90");
  api.LMSSetValue("cmi.core.exit", "");
  api.LMSFinish("");
  document.getElementById("state").textContent += ", finished";
};
</script></body></html>`;
}

/** A zip of the given files, written by Python's zipfile (no zip library in the test's packages). */
function zipOf(name: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lyceum-scorm-'));
  const spec = join(dir, 'files.json');
  writeFileSync(spec, JSON.stringify(files));
  const out = join(dir, name);
  execFileSync('python3', ['-c', [
    'import json, sys, zipfile',
    'files = json.load(open(sys.argv[1]))',
    'with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:',
    '    [z.writestr(n, b) for n, b in files.items()]',
  ].join('\n'), spec, out]);
  return out;
}

test('an instructor uploads a SCORM package (a broken one is refused with its reason) and a learner plays its parts', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  const course = await call(page.request, 'courses/create', {
    'form[code]': `GOLF-${Date.now() % 1000000}`,
    'form[title]': 'Golf',
    'form[summary]': 'Rules of the game.',
  });
  await call(page.request, 'courses/add_section', { course_id: String(course.id), title: 'Rules' });

  // The kind is offered by the course editor like any other.
  await page.goto(`/courses/${course.id}/edit`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Add item to Rules' }).click();
  const form = page.locator('form.add-item');
  await form.getByLabel('Kind').selectOption('scorm');
  await form.getByLabel('Title').fill('Golf explained');
  await form.getByRole('button', { name: 'Add item' }).click();
  await expect(form).toBeHidden();
  await page.getByRole('link', { name: 'Golf explained' }).click();
  await expect(page.getByRole('heading', { name: 'Edit SCORM package' })).toBeVisible();
  const itemId = page.url().match(/items\/(\d+)/)![1];
  const editor = page.url();
  await expect(page.getByText('No package yet')).toBeVisible();

  // A package without a manifest is refused, with the reason next to the field.
  await page.getByLabel('Upload a package').setInputFiles(zipOf('notes.zip', { 'notes.txt': 'not a package' }));
  await page.locator('#package').getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.locator('#package-file-error')).toContainText('no imsmanifest.xml');
  await expect(page.getByLabel('Upload a package')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Upload a package').setInputFiles(zipOf('golf.zip', {
    'imsmanifest.xml': MANIFEST,
    'Playing/index.html': sco('How to play'),
    'Etiquette/index.html': sco('Mind the greens'),
  }));
  await page.locator('#package').getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByText('The package was uploaded and checked.')).toBeVisible();
  const summary = page.getByTestId('package-summary');
  await expect(summary).toContainText('Golf explained');
  await expect(summary).toContainText('SCORM 1.2');
  await expect(summary).toContainText('2 parts to open; 3 files');

  await call(page.request, 'courses/enrolment_settings', {
    id: String(course.id),
    'form[self_enrol]': 'true',
    'form[enrol_key]': '',
  });
  await call(page.request, 'courses/set_state', { id: String(course.id), state: 'published' });

  // A learner plays the first part in the frame and moves to the second from the contents.
  const context = await browser.newContext();
  const me = await context.newPage();
  const learner = uniqueEmail('learner');
  await createUser(me.request, learner, ['learner']);
  await signIn(me, learner, PASSWORD);
  await expect(me.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await call(me.request, 'enrolments/self', { course_id: String(course.id), key: '' });
  const player = `/courses/${course.id}/learn/${itemId}`;
  await me.goto(player);
  await hydrated(me);
  const frame = me.frameLocator('iframe[title="Golf explained"]');
  await expect(frame.getByRole('heading', { name: 'How to play' })).toBeVisible();
  await expect(frame.locator('#entry')).toHaveText('ab-initio');
  const contents = me.getByRole('navigation', { name: 'Contents of the package' });
  await expect(contents.getByRole('link', { name: 'Playing' })).toHaveAttribute('aria-current', 'page');

  // The SCO bookmarks its place and the tab is closed: reopened, it resumes where it was.
  await frame.getByRole('button', { name: 'Bookmark page 2' }).click();
  await expect(frame.locator('#state')).toHaveText('bookmarked');
  await me.close();
  const again = await context.newPage();
  await again.goto(player);
  await hydrated(again);
  const resumed = again.frameLocator('iframe[title="Golf explained"]');
  await expect(resumed.locator('#entry')).toHaveText('resume');
  await expect(resumed.locator('#location')).toHaveText('page-2');

  // A value out of range gets its error code; finishing both parts completes the item.
  await resumed.getByRole('button', { name: 'Finish' }).click();
  await expect(resumed.locator('#state')).toHaveText('refused 405, finished');
  const parts = again.getByRole('navigation', { name: 'Contents of the package' });
  await parts.getByRole('link', { name: 'Etiquette' }).click();
  await expect(resumed.getByRole('heading', { name: 'Mind the greens' })).toBeVisible();
  await expect(parts.getByRole('link', { name: 'Etiquette' })).toHaveAttribute('aria-current', 'page');
  await expect(resumed.locator('#entry')).toHaveText('ab-initio');
  await resumed.getByRole('button', { name: 'Finish' }).click();
  await expect(resumed.locator('#state')).toHaveText('refused 405, finished');
  // The outline follows at once, without a reload.
  const outline = again.getByRole('complementary', { name: 'Course outline' });
  await expect(outline.locator('li.current')).toHaveClass(/done/);
  await expect.poll(async () => {
    const progress = await call(again.request, 'learning/progress', { course_id: String(course.id) });
    return progress.completed.includes(Number(itemId));
  }, { timeout: 15_000 }).toBe(true);

  // The score reached the gradebook, out of 100.
  const mine = await call(again.request, 'grades/mine', { course_id: String(course.id) });
  const row = mine.rows.find((r: { name: string }) => r.name === 'Golf explained');
  expect([row.points, row.max_points]).toEqual([90, 100]);

  // The instructor sees the learner's results and resets their attempts.
  await page.goto(editor);
  await hydrated(page);
  const results = page.getByTestId('scorm-results');
  const line = results.getByRole('row').filter({ hasText: learner });
  await expect(line).toContainText('Completed');
  await expect(line).toContainText('90 %');
  await expect(page.getByText('1 started, 1 finished every part, of 1 learner.')).toBeVisible();
  await line.getByRole('button', { name: /Reset the attempts of/ }).click();
  await line.getByRole('button', { name: 'Yes, reset' }).click();
  await expect(page.getByText('The learner\'s attempts were reset')).toBeVisible();
  await expect(results.getByRole('row').filter({ hasText: learner })).toContainText('Not started');

  // Someone outside the course gets none of the package's files.
  const outsider = await browser.newContext();
  const stranger = await outsider.newPage();
  const email = uniqueEmail('stranger');
  await createUser(stranger.request, email, ['learner']);
  await call(stranger.request, 'auth/sign_in', { email, password: PASSWORD });
  const refused = await stranger.request.get(`/packages/${itemId}/1/Playing/index.html`);
  expect(refused.status()).toBe(403);
  await outsider.close();
  await context.close();
});

const MANIFEST_2004 = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="golf2004" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Golf in 2004</title>
    <item identifier="i1" identifierref="r1"><title>Playing</title></item>
    <item identifier="i2" identifierref="r2"><title>Etiquette</title></item>
  </organization></organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="Playing/index.html"/>
    <resource identifier="r2" type="webcontent" adlcp:scormType="sco" href="Etiquette/index.html"/>
  </resources>
</manifest>`;

/** A SCORM 2004 SCO: it finds API_1484_11, reports, and ends asking the player to go on. */
function sco2004(heading: string, request: string): string {
  return `<!doctype html><html><head><title>${heading}</title></head><body>
<h1>${heading}</h1>
<p>Entry: <span id="entry"></span>; <span id="state">started</span></p>
<button id="done">Done</button>
<script>
var api = window.parent.API_1484_11;
api.Initialize("");
document.getElementById("entry").textContent = api.GetValue("cmi.entry");
document.getElementById("done").onclick = function () {
  api.SetValue("cmi.score.scaled", "1.5");
  document.getElementById("state").textContent = "refused " + api.GetLastError();
  api.SetValue("cmi.completion_status", "completed");
  api.SetValue("cmi.score.scaled", "0.8");
  api.SetValue("adl.nav.request", "${request}");
  api.Terminate("");
};
</script></body></html>`;
}

test('a SCORM 2004 package reports through API_1484_11 and its navigation requests move the player on', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  await call(page.request, 'auth/sign_in', { email: instructor, password: PASSWORD });
  const course = await call(page.request, 'courses/create', {
    'form[code]': `G2004-${Date.now() % 1000000}`,
    'form[title]': 'Golf 2004',
    'form[summary]': 'Rules of the game.',
  });
  const section = await call(page.request, 'courses/add_section', { course_id: String(course.id), title: 'Rules' });
  const itemId = await call(page.request, 'items/add', {
    section_id: String(section),
    'form[kind]': 'scorm',
    'form[title]': 'Golf in 2004',
    'form[required]': 'true',
    'form[completion]': 'manual',
  });
  const zip = zipOf('golf2004.zip', {
    'imsmanifest.xml': MANIFEST_2004,
    'Playing/index.html': sco2004('How to play', 'continue'),
    'Etiquette/index.html': sco2004('Mind the greens', 'exitAll'),
  });
  const uploaded = await page.request.post(`/items/${itemId}/package`, {
    headers: { Accept: 'application/json' },
    multipart: { file: { name: 'golf2004.zip', mimeType: 'application/zip', buffer: readFileSync(zip) } },
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
  await me.goto(`/courses/${course.id}/learn/${itemId}`);
  await hydrated(me);
  const frame = me.frameLocator('iframe[title="Golf in 2004"]');
  await expect(frame.getByRole('heading', { name: 'How to play' })).toBeVisible();
  await expect(frame.locator('#entry')).toHaveText('ab-initio');
  // 407: a scaled score is between -1 and 1. "continue" opens the next part.
  await frame.getByRole('button', { name: 'Done' }).click();
  await expect(frame.getByRole('heading', { name: 'Mind the greens' })).toBeVisible();
  const contents = me.getByRole('navigation', { name: 'Contents of the package' });
  await expect(contents.getByRole('link', { name: 'Etiquette' })).toHaveAttribute('aria-current', 'page');
  // "exitAll" takes the content away; the learner may open it again.
  await frame.getByRole('button', { name: 'Done' }).click();
  await expect(me.getByText('You left the package; what you did is saved.')).toBeVisible();
  await expect.poll(async () => {
    const progress = await call(me.request, 'learning/progress', { course_id: String(course.id) });
    return progress.completed.includes(Number(itemId));
  }, { timeout: 15_000 }).toBe(true);
  const mine = await call(me.request, 'grades/mine', { course_id: String(course.id) });
  const row = mine.rows.find((r: { name: string }) => r.name === 'Golf in 2004');
  expect([row.points, row.max_points]).toEqual([80, 100]);
  await me.getByRole('button', { name: 'Open it again' }).click();
  await expect(frame.getByRole('heading', { name: 'Mind the greens' })).toBeVisible();
  await context.close();
});
