import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
  await expect(page.getByText('No package yet')).toBeVisible();

  // A package without a manifest is refused, with the reason next to the field.
  await page.getByLabel('Upload a package').setInputFiles(zipOf('notes.zip', { 'notes.txt': 'not a package' }));
  await page.locator('#package').getByRole('button', { name: 'Upload' }).click();
  await expect(page.locator('#package-file-error')).toContainText('no imsmanifest.xml');
  await expect(page.getByLabel('Upload a package')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Upload a package').setInputFiles(zipOf('golf.zip', {
    'imsmanifest.xml': MANIFEST,
    'Playing/index.html': '<!doctype html><title>Playing</title><h1>How to play</h1>',
    'Etiquette/index.html': '<!doctype html><title>Etiquette</title><h1>Mind the greens</h1>',
  }));
  await page.locator('#package').getByRole('button', { name: 'Upload' }).click();
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
  await me.goto(`/courses/${course.id}/learn/${itemId}`);
  await hydrated(me);
  const frame = me.frameLocator('iframe[title="Golf explained"]');
  await expect(frame.getByRole('heading', { name: 'How to play' })).toBeVisible();
  const contents = me.getByRole('navigation', { name: 'Contents of the package' });
  await expect(contents.getByRole('link', { name: 'Playing' })).toHaveAttribute('aria-current', 'page');
  await contents.getByRole('link', { name: 'Etiquette' }).click();
  await expect(frame.getByRole('heading', { name: 'Mind the greens' })).toBeVisible();
  await expect(contents.getByRole('link', { name: 'Etiquette' })).toHaveAttribute('aria-current', 'page');

  // Someone outside the course gets none of the package's files.
  const outsider = await browser.newContext();
  const stranger = await outsider.newPage();
  const email = uniqueEmail('stranger');
  await createUser(stranger.request, email, ['learner']);
  await call(stranger.request, 'auth/sign_in', { email, password: PASSWORD });
  const refused = await stranger.request.get(`/scorm/${itemId}/1/Playing/index.html`);
  expect(refused.status()).toBe(403);
  await outsider.close();
  await context.close();
});
