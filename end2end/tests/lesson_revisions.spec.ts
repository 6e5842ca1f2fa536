import { expect, test } from '@playwright/test';
import { PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

test('unsaved lesson edits survive leaving the page; revisions compare and restore', async ({ page, request }) => {
  const instructor = uniqueEmail('teacher');
  await createUser(request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();

  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill('Chemistry basics');
  await page.getByLabel('Code').fill(`CHEM-${Date.now() % 100000}`);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit/);
  await hydrated(page);
  await page.getByLabel('New section').fill('Atoms');
  await page.getByRole('button', { name: 'Add section' }).click();
  await page.getByRole('button', { name: 'Add item to Atoms' }).click();
  const form = page.locator('form.add-item');
  await form.getByLabel('Title').fill('Electrons');
  await form.getByLabel('Page (Markdown)').fill('Electrons orbit the nucleus.');
  await form.getByRole('button', { name: 'Add item' }).click();
  await page.getByRole('link', { name: 'Electrons' }).click();
  await expect(page.getByRole('heading', { name: 'Edit lesson' })).toBeVisible();
  await hydrated(page);
  const editorUrl = page.url();

  // Typed but not saved (as if the connection dropped): the text is kept in the browser.
  const body = page.getByLabel('Page (Markdown)');
  await body.fill('Electrons orbit the nucleus.\nThey carry a negative charge.');
  await page.goto('/');
  await page.goto(editorUrl);
  await hydrated(page);
  await expect(page.getByText('Restored your unsaved changes')).toBeVisible();
  await expect(body).toHaveValue('Electrons orbit the nucleus.\nThey carry a negative charge.');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved.', { exact: true })).toBeVisible();

  // Two revisions: compare them, then restore the first.
  const rows = page.getByRole('table').filter({ hasText: 'Compare from' }).locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.locator('ins.diff-added')).toHaveText('+ They carry a negative charge.');
  await rows.nth(1).getByRole('button', { name: /Restore/ }).click();
  await expect(page.getByText('Revision restored')).toBeVisible();
  await expect(rows).toHaveCount(3);
  // The notice is about that restore: the next save clears it.
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Revision restored')).toBeHidden();
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel('Page (Markdown)')).toHaveValue('Electrons orbit the nucleus.');
});
