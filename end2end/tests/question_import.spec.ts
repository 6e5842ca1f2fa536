import { expect, test } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, call, createUser, hydrated, signIn, uniqueEmail } from './helpers';

/** A file of the shared corpus (real files from other projects), or undefined when this machine lacks it. */
function corpusFile(...parts: string[]): string | undefined {
  const roots = [process.env.LYCEUM_CORPUS, join(__dirname, '..', '..', '..', 'shared', 'corpus'), '/work/shared/corpus']
    .filter((r): r is string => !!r);
  return roots.map((r) => join(r, ...parts)).find((p) => existsSync(p));
}

test('a Canvas QTI 1.2 export imports into the question bank, its calculated question reported by line', async ({ page }) => {
  const file = corpusFile('qti', 'all_canvas_simple_1.2.xml');
  test.skip(!file, 'No QTI corpus here (set LYCEUM_CORPUS)');
  const instructor = uniqueEmail('teacher');
  await createUser(page.request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  const course = await call(page.request, 'courses/create', {
    'form[code]': `QTI-${Date.now() % 1000000}`,
    'form[title]': 'Imported from Canvas',
    'form[summary]': 'Questions.',
  });
  await page.goto(`/courses/${course.id}/questions`);
  await expect(page.getByRole('heading', { name: 'Question bank' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Format').selectOption('qti');
  await page.getByLabel('File').setInputFiles({ name: 'quiz.xml', mimeType: 'text/xml', buffer: readFileSync(file!) });
  await expect(page.getByLabel('Or paste the questions')).toHaveValue(/questestinterop/);
  await page.getByRole('button', { name: 'Check the questions' }).click();
  await expect(page.getByText('Ready to import: 9 questions; 1 problem found.')).toBeVisible();
  const problems = page.getByRole('table', { name: 'Problems' });
  await expect(problems.locator('tbody tr')).toHaveCount(1);
  await expect(problems.locator('tbody tr td').nth(1)).toContainText(/not supported/);
  await page.getByRole('button', { name: 'Skip the problems and import 9 questions' }).click();
  await expect(page.getByText('9 questions imported.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Question 1', exact: true })).toBeVisible();
});
