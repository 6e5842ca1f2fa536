import { Page, expect, test } from '@playwright/test';
import { PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

/** Signs in a new instructor and creates a course with a section "Week 1"; returns its id. */
async function newCourse(page: Page, request: Parameters<typeof createUser>[0], title: string): Promise<string> {
  const instructor = uniqueEmail('teacher');
  await createUser(request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Code').fill(`ED-${Date.now() % 100000}`);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit/);
  await hydrated(page);
  await page.getByLabel('New section').fill('Week 1');
  await page.getByRole('button', { name: 'Add section' }).click();
  await expect(page.getByRole('heading', { name: 'Week 1' })).toBeVisible();
  return page.url().match(/courses\/(\d+)/)![1];
}

async function addLesson(page: Page, title: string) {
  await page.getByRole('button', { name: 'Add item to Week 1' }).click();
  const form = page.locator('form.add-item');
  await form.getByLabel('Title').fill(title);
  await form.getByRole('button', { name: 'Add item' }).click();
  await expect(form).toBeHidden();
}

test('a deleted item can be undone at once, or restored from Recently deleted', async ({ page, request }) => {
  await newCourse(page, request, 'Recycling');
  for (const title of ['One', 'Two', 'Three']) {
    await addLesson(page, title);
  }
  const items = page.getByRole('list', { name: 'Items in Week 1' }).locator('li > a');
  await expect(items).toHaveText(['One', 'Two', 'Three']);
  const bin = page.getByRole('region', { name: 'Recently deleted' });
  await expect(bin.getByText('Nothing deleted recently.')).toBeVisible();

  // Delete: the item goes, the page says so with Undo (focused, since the Delete button is gone).
  await page.getByRole('button', { name: 'Delete Two' }).click();
  const notice = page.getByRole('status').filter({ hasText: 'Deleted “Two”.' });
  await expect(notice).toBeVisible();
  await expect(items).toHaveText(['One', 'Three']);
  await expect(bin.getByRole('row', { name: /Two/ })).toBeVisible();
  const undo = notice.getByRole('button', { name: 'Undo' });
  await expect(undo).toBeFocused();
  await undo.click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored “Two”.' })).toBeVisible();
  await expect(items).toHaveText(['One', 'Two', 'Three']);
  await expect(bin.getByText('Nothing deleted recently.')).toBeVisible();

  // Delete again and leave it: it waits in Recently deleted, also after a reload.
  await page.getByRole('button', { name: 'Delete Three' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted “Three”.' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(items).toHaveText(['One', 'Two']);
  await expect(bin.getByRole('row', { name: /Three/ })).toContainText('Week 1');
  await bin.getByRole('button', { name: 'Restore Three' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Restored “Three”.' })).toBeVisible();
  await expect(items).toHaveText(['One', 'Two', 'Three']);
});

