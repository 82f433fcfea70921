// Positions of results around the searched place, for a small SVG plot (no map library, no tiles: the CSP
// forbids third-party requests, and the list stays the accessible alternative).

const KM_PER_DEGREE = 111.32;

export interface PlotPoint {
  id: string;
  label: string;
  x: number;
  y: number;
}

/** East/north offsets in km from the centre (equirectangular: exact enough within a few hundred km). */
export function offsetKm(
  center: { latitude: number; longitude: number },
  point: { latitude: number; longitude: number },
): { east: number; north: number } {
  const meanLat = ((center.latitude + point.latitude) / 2) * (Math.PI / 180);
  return {
    east: (point.longitude - center.longitude) * KM_PER_DEGREE * Math.cos(meanLat),
    north: (point.latitude - center.latitude) * KM_PER_DEGREE,
  };
}

/** Ring radii (km) for a search radius: a few round steps up to the radius itself. */
export function ringsFor(radiusKm: number): number[] {
  const steps =
    radiusKm <= 10 ? [2.5, 5, 10] : radiusKm <= 25 ? [5, 10, 25] : radiusKm <= 50 ? [10, 25, 50] : [];
  if (steps.length) return steps.filter((r) => r <= radiusKm);
  return [radiusKm / 4, radiusKm / 2, radiusKm].map((r) => Math.round(r));
}

/**
 * SVG coordinates in a square of `size` with the centre in the middle and the outer ring at `size/2 - margin`;
 * points beyond the radius are pulled onto the edge so they stay visible.
 */
export function project(
  center: { latitude: number; longitude: number },
  point: { latitude: number; longitude: number },
  radiusKm: number,
  size: number,
  margin: number,
): { x: number; y: number; clipped: boolean } {
  const { east, north } = offsetKm(center, point);
  const scale = (size / 2 - margin) / radiusKm;
  let dx = east * scale;
  let dy = -north * scale;
  const r = Math.hypot(dx, dy);
  const max = size / 2 - margin / 2;
  const clipped = r > max;
  if (clipped) {
    dx = (dx / r) * max;
    dy = (dy / r) * max;
  }
  const round = (v: number) => Math.round(v * 10) / 10;
  return { x: round(size / 2 + dx), y: round(size / 2 + dy), clipped };
}

export interface PlotGroup {
  x: number;
  y: number;
  numbers: number[];
  clipped: boolean;
}

/**
 * Dots closer than `gap` merge into one labelled with the lowest number and a "+" (several services at one
 * address are common); groups keep the position of their first (nearest-ranked) member.
 */
export function groupPoints(
  points: { n: number; x: number; y: number; clipped: boolean }[],
  gap: number,
): PlotGroup[] {
  const groups: PlotGroup[] = [];
  for (const p of [...points].sort((a, b) => a.n - b.n)) {
    const near = groups.find((g) => Math.hypot(g.x - p.x, g.y - p.y) < gap);
    if (near) near.numbers.push(p.n);
    else groups.push({ x: p.x, y: p.y, numbers: [p.n], clipped: p.clipped });
  }
  return groups;
}

/** "3" for one result, "3+" when others sit under the same dot. */
export function groupLabel(group: PlotGroup): string {
  return group.numbers.length > 1 ? `${group.numbers[0]}+` : String(group.numbers[0]);
}
