import type { CriClient } from '../cri/client.ts';
import { buildTestImages } from './build.ts';
import { importImageArchive } from './import.ts';

/** ensureTestImages imports the locally built pause and busybox images when the runtime lacks either. */
export async function ensureTestImages(cri: CriClient, endpoint: string, dir: string, log: (m: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const ref of ['localhost/pause:3.9', 'localhost/busybox:1.35']) if (!(await cri.imageStatus(ref)).image) missing.push(ref);
  if (missing.length === 0) return;
  let images;
  try {
    images = buildTestImages(dir);
  } catch (err) {
    // Without catatonit or busybox-static no pause image can be built: sandboxes will fail until one is imported.
    log(`agent: cannot build the pause and busybox images (${err instanceof Error ? err.message : String(err)}); run scripts/up or "berth image import"`);
    return;
  }
  for (const img of images) if (missing.includes(img.ref)) await importImageArchive(endpoint, img.file);
  log(`agent: imported ${missing.join(', ')}`);
}
