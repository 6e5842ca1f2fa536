import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, call, createUser, hydrated, signIn, uniqueEmail, signedInWithoutScript } from './helpers';

/** A file of the shared corpus (real files from other projects), or undefined when this machine lacks it. */
function corpusFile(...parts: string[]): string | undefined {
  const roots = [process.env.LYCEUM_CORPUS, join(__dirname, '..', '..', '..', 'shared', 'corpus'), '/work/shared/corpus']
    .filter((r): r is string => !!r);
  return roots.map((r) => join(r, ...parts)).find((p) => existsSync(p));
}

// Issue 13, "Common Cartridge and QTI import": a real Canvas export (the corpus's ALLY workshop)
// becomes sections of lessons whose images load, what cannot be imported is in the report, and a
// file that is not a cartridge is refused next to the field, without JavaScript too. The course
// exported as a Common Cartridge 1.3 imports back whole.
test('a Canvas cartridge imports into a course, its images shown and what it lacks reported, and exports back whole', async ({ page, browser }) => {
  const file = corpusFile('common-cartridge', 'allyworkshop.imscc');
  test.skip(!file, 'No Common Cartridge corpus here (set LYCEUM_CORPUS)');
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  const course = await call(page.request, 'courses/create', {
    'form[code]': `CC-${Date.now() % 1000000}`,
    'form[title]': 'Accessibility workshop',
    'form[summary]': 'Imported from Canvas.',
  });
  await page.goto(`/courses/${course.id}/edit`);
  await page.getByRole('link', { name: 'Import and export' }).click();
  await expect(page.getByRole('heading', { name: 'Import and export' })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText('Nothing has been imported into this course yet.')).toBeVisible();
  const axe = await new AxeBuilder({ page }).withRules(['label', 'button-name', 'link-name', 'color-contrast']).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);

  await page.getByLabel('Cartridge file').setInputFiles(file!);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByText('The cartridge was imported. Its report is below.')).toBeVisible();
  const report = page.getByRole('group').filter({ hasText: 'allyworkshop.imscc' });
  await expect(report.getByText(/Made: 5 sections, 12 items, 0 questions, \d+ files\./)).toBeVisible();
  const skipped = report.getByRole('table', { name: /Not imported, or only in part/ });
  await expect(skipped.getByRole('row').filter({ hasText: 'Accessibility in your life' })).toContainText('discussion');
  await expect(skipped.getByRole('row').filter({ hasText: 'Canvabadges' })).toContainText('LTI');

  // The modules are sections of the course; a lesson shows its image from the cartridge.
  await page.goto(`/courses/${course.id}/edit`);
  await expect(page.getByRole('heading', { name: 'Part 1: Overview: Accessibility and ALLY' })).toBeVisible();
  await page.getByRole('link', { name: 'What is ALLY?' }).first().click();
  await page.getByRole('link', { name: 'Preview' }).click();
  const image = page.locator('img[alt="about_ally.png"]');
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

  // Exported as a cartridge and imported into a new course, it comes back whole: nothing left
  // out, the same sections and items, the lesson's image still shown.
  await page.goto(`/courses/${course.id}/import`);
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the course as a cartridge' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('Accessibility workshop.imscc');
  const exported = test.info().outputPath('export.imscc');
  await download.saveAs(exported);
  const copy = await call(page.request, 'courses/create', {
    'form[code]': `CC-${Date.now() % 1000000}-copy`,
    'form[title]': 'Accessibility workshop (copy)',
    'form[summary]': 'Imported from Lyceum.',
  });
  await page.goto(`/courses/${copy.id}/import`);
  await hydrated(page);
  await page.getByLabel('Cartridge file').setInputFiles(exported);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByText('The cartridge was imported. Its report is below.')).toBeVisible();
  const again = page.getByRole('group').filter({ hasText: 'export.imscc' });
  await expect(again.getByText(/Made: 5 sections, 12 items, 0 questions, \d+ files\./)).toBeVisible();
  await expect(again.getByText('Everything in the cartridge was imported.')).toBeVisible();
  await page.goto(`/courses/${copy.id}/edit`);
  await expect(page.getByRole('heading', { name: 'Part 1: Overview: Accessibility and ALLY' })).toBeVisible();
  await page.getByRole('link', { name: 'What is ALLY?' }).first().click();
  await page.getByRole('link', { name: 'Preview' }).click();
  const copied = page.locator('img[alt="about_ally.png"]');
  await expect(copied).toBeVisible();
  await expect.poll(() => copied.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

  // Without the page's script: a file that is not a cartridge is refused next to the field.
  const noScript = await signedInWithoutScript(browser, instructor, PASSWORD);
  await noScript.goto(`/courses/${course.id}/import`);
  await noScript.getByLabel('Cartridge file').setInputFiles({ name: 'notes.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip at all') });
  await noScript.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(noScript.getByRole('alert')).toContainText('not a zip archive');
  await expect(noScript.getByLabel('Cartridge file')).toHaveAttribute('aria-invalid', 'true');
  // The earlier import's report is still there, and nothing else was imported.
  await expect(noScript.locator('.import-list > li')).toHaveCount(1);
  await noScript.context().close();
});
