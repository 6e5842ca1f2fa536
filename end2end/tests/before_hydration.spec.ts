import { Page, test, expect } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, createUser, hydrated, publishedCourse, uniqueEmail } from './helpers';

// Forms keep what people type before the page's script has loaded, and signing in works without
// JavaScript at all.

test('what is typed while the WASM is still loading survives hydration and signs in', async ({ page, request }) => {
  const email = uniqueEmail('slow');
  await createUser(request, email);
  // Hold back every WASM file (the app and each page's chunk) until the form has been filled in.
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\.wasm$/, async (route) => {
    await released;
    await route.continue();
  });
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(0);
  release();
  await hydrated(page);
  await expect(page.getByLabel('Email address')).toHaveValue(email);
  await expect(page.getByLabel('Password')).toHaveValue(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('signing in and out works', async ({ page, request }) => {
    const email = uniqueEmail('nojs');
    await createUser(request, email);
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
    // The user menu is a <details>: it opens without script, and its Sign out is a form.
    await page.locator('.user-menu summary').click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto('/account');
    await expect(page.getByRole('heading', { name: 'Please sign in' })).toBeVisible();
    // A wrong password comes back as a message on the sign-in page, not a blank error.
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    // The address typed comes back filled in; the password does not.
    await expect(page.getByLabel('Email address')).toHaveValue(email);
    await expect(page.getByLabel('Password')).toHaveValue('');
  });

  /** Signs in through the page's plain form. */
  async function signInPlain(page: Page, email: string, password: string) {
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Welcome');
  }

  test('a learner finds a course in the catalogue and enrols with its key', async ({ page, request }) => {
    const title = `Plain botany ${Date.now() % 100000}`;
    const course = await publishedCourse(request, title, true, 'photosynthesis');
    const learner = uniqueEmail('nojs-learner');
    await createUser(request, learner);
    await signInPlain(page, learner, PASSWORD);

    // The catalogue's search is a GET form.
    await page.goto('/courses');
    await page.getByRole('searchbox').fill(title);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/[?&]q=/);
    await page.getByRole('link', { name: title }).click();
    await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();

    // A wrong key comes back as the field's message, with the key typed still there.
    await page.getByLabel('Enrolment key').fill('wrong');
    await page.getByRole('button', { name: 'Enrol' }).click();
    await expect(page.getByText('That enrolment key is not right')).toBeVisible();
    await expect(page.getByLabel('Enrolment key')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Enrolment key')).toHaveValue('wrong');
    await page.getByLabel('Enrolment key').fill('photosynthesis');
    await page.getByRole('button', { name: 'Enrol' }).click();
    await expect(page.getByText('You are enrolled.')).toBeVisible();
    await page.getByRole('link', { name: 'Start' }).click();
    await expect(page.getByRole('heading', { name: 'Welcome', level: 1 })).toBeVisible();
    expect(page.url()).toContain(`/courses/${course.courseId}/learn`);
  });

  test('an administrator creates a user; a mistake keeps what was typed', async ({ page }) => {
    await signInPlain(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto('/admin/users/new');
    await expect(page.getByRole('checkbox', { name: 'Learner' })).toBeChecked();
    await page.getByLabel('Full name').fill('Plain Person');
    await page.getByLabel('Email address').fill('not-an-email');
    await page.getByRole('checkbox', { name: 'Instructor' }).check();
    await page.getByLabel('Password (optional)').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect(page.locator('#field-email-error')).toContainText('Enter an email address like');
    await expect(page.getByLabel('Full name')).toHaveValue('Plain Person');
    await expect(page.getByLabel('Email address')).toHaveValue('not-an-email');
    await expect(page.getByRole('checkbox', { name: 'Instructor' })).toBeChecked();
    // The password is never sent back in a link.
    await expect(page.getByLabel('Password (optional)')).toHaveValue('');
    expect(page.url()).not.toContain(encodeURIComponent(PASSWORD));

    const email = uniqueEmail('nojs-created');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect(page.getByRole('heading', { name: 'Plain Person' })).toBeVisible();
    await expect(page).toHaveURL(/\/admin\/users\/\d+\?created=1/);
  });
});
