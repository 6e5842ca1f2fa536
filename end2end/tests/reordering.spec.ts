import { expect, test } from '@playwright/test';
import { PASSWORD, createUser, hydrated, signIn, uniqueEmail } from './helpers';

test('items are reordered by drag and drop, within and across sections', async ({ page, request }) => {
  const instructor = uniqueEmail('teacher');
  await createUser(request, instructor, ['instructor']);
  await signIn(page, instructor, PASSWORD);
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await page.goto('/courses/new');
  await hydrated(page);
  await page.getByLabel('Title').fill('Drag and drop');
  await page.getByLabel('Code').fill(`DND-${Date.now() % 100000}`);
  await page.getByRole('button', { name: 'Create course' }).click();
  await expect(page).toHaveURL(/\/courses\/\d+\/edit/);
  await hydrated(page);

  for (const section of ['Part A', 'Part B']) {
    await page.getByLabel('New section').fill(section);
    await page.getByRole('button', { name: 'Add section' }).click();
    await expect(page.getByRole('heading', { name: section })).toBeVisible();
  }
  for (const title of ['One', 'Two', 'Three']) {
    await page.getByRole('button', { name: 'Add item to Part A' }).click();
    const form = page.locator('form.add-item');
    await form.getByLabel('Title').fill(title);
    await form.getByRole('button', { name: 'Add item' }).click();
    await expect(form).toBeHidden();
  }
  const partA = page.getByRole('list', { name: 'Items in Part A' });
  const partB = page.getByRole('list', { name: 'Items in Part B' });
  await expect(partA.locator('li > a')).toHaveText(['One', 'Two', 'Three']);

  // Both ends of a drag on screen (a synthetic drag does not scroll the page as a hand does).
  await partA.evaluate((list) => list.scrollIntoView({ block: 'center' }));
  // Drop "Three" on "One": it takes One's place.
  await partA.locator('li', { hasText: 'Three' }).dragTo(partA.locator('li', { hasText: 'One' }));
  await expect(partA.locator('li > a')).toHaveText(['Three', 'One', 'Two']);

  // Drop "One" on the empty list of Part B: it moves there.
  await partA.locator('li', { hasText: 'One' }).dragTo(partB);
  await expect(partA.locator('li > a')).toHaveText(['Three', 'Two']);
  await expect(partB.locator('li > a')).toHaveText(['One']);

  // The order is saved: it survives a reload.
  await page.reload();
  await expect(page.getByRole('list', { name: 'Items in Part A' }).locator('li > a')).toHaveText(['Three', 'Two']);
});
