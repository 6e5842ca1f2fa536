// `cargo leptos end-to-end` starts the tests as the server starts: wait until it answers.
export default async function globalSetup() {
  const url = (process.env.LYCEUM_E2E_URL ?? 'http://127.0.0.1:3000') + '/readyz';
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Lyceum did not become ready at ${url}`);
}
