import { useLocale, useT } from '../locale';
import { formatDistance } from './format';
import { groupLabel, groupPoints, project, ringsFor } from './plot';
import type { SearchResponse } from './types';

const SIZE = 320;
const MARGIN = 24;

/**
 * Where the results are around the searched place, as numbered dots inside distance rings. A picture for
 * sighted users; the numbered list is the accessible alternative. Confidential locations are not plotted
 * (their distance is already rounded by the server; a dot would give the position away over a shoulder).
 */
export function ResultPlot({ response, first }: { response: SearchResponse; first: number }) {
  const t = useT();
  const { locale } = useLocale();
  const place = response.place;
  if (!place || place.latitude === null || place.longitude === null) return null;
  const center = { latitude: place.latitude, longitude: place.longitude };
  const radius = response.radiusKm;
  const scale = (SIZE / 2 - MARGIN) / radius;
  const rings = ringsFor(radius);
  const points = response.items.flatMap((item, i) =>
    item.latitude !== null && item.longitude !== null && !item.confidential.location
      ? [
          {
            id: item.id,
            n: first + i,
            ...project(center, { latitude: item.latitude, longitude: item.longitude }, radius, SIZE, MARGIN),
          },
        ]
      : [],
  );
  const groups = groupPoints(points, 14);
  const hidden = response.items.filter((item) => item.confidential.location).length;
  const label = t('directory.plot.label', { count: points.length, place: place.name ?? '', km: radius });

  return (
    <figure className="result-plot">
      <svg viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label={label} className="plot-svg">
        {rings.map((r) => (
          <g key={r}>
            <circle cx={SIZE / 2} cy={SIZE / 2} r={r * scale} className="plot-ring" />
            <text
              x={SIZE / 2 + r * scale * Math.SQRT1_2 + 3}
              y={SIZE / 2 - r * scale * Math.SQRT1_2 - 3}
              className="plot-ring-label"
            >
              {formatDistance(r, locale)}
            </text>
          </g>
        ))}
        <line x1={SIZE / 2 - 6} y1={SIZE / 2} x2={SIZE / 2 + 6} y2={SIZE / 2} className="plot-center" />
        <line x1={SIZE / 2} y1={SIZE / 2 - 6} x2={SIZE / 2} y2={SIZE / 2 + 6} className="plot-center" />
        <text x={SIZE / 2} y={14} className="plot-north">
          {t('directory.plot.north')}
        </text>
        {/* Drawn last to first, so the nearest-ranked group is on top where dots touch. */}
        {[...groups].reverse().map((g) => (
          <g key={g.numbers[0]} className={g.clipped ? 'plot-point clipped' : 'plot-point'}>
            <circle cx={g.x} cy={g.y} r={g.numbers.length > 1 ? 11 : 9} />
            <text x={g.x} y={g.y + 3.5}>
              {groupLabel(g)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption className="small-text muted">
        {t('directory.plot.caption', { place: place.name ?? '' })}
        {hidden > 0 && <> {t('directory.plot.hidden', { count: hidden })}</>}
      </figcaption>
    </figure>
  );
}
