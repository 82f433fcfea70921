import { Link } from 'react-aria-components';
import { useLocale, useT } from '../locale';
import { useSignedInSession } from '../session';
import { RelativeTime } from '../ui/time';
import {
  formatClock,
  formatDistance,
  isAllDay,
  isConfidential,
  languageName,
  mainCapacity,
  telHref,
  termLabel,
  uniqueLabels,
} from './format';
import { canManage, directoryPaths } from './routes';
import type { SearchItem } from './types';
import { ConfidentialBadge } from './widgets';

/** One result, dense: who, where, how to reach them today, who they serve, beds, and how intake works. */
export function ResultItem({ item, number }: { item: SearchItem; number: number }) {
  const t = useT();
  const { locale } = useLocale();
  const { user } = useSignedInSession();
  const manager = canManage(user.role);
  const confidential = isConfidential(item);
  const capacity = mainCapacity(item.capacity);
  const hours = item.hoursToday;
  const where = [item.city, item.province].filter(Boolean).join(', ');
  const headingId = `result-${item.id}`;
  const age =
    item.minimumAge !== null && item.maximumAge !== null
      ? t('directory.result.ageRange', { min: item.minimumAge, max: item.maximumAge })
      : item.minimumAge !== null
        ? t('directory.result.ageMin', { min: item.minimumAge })
        : item.maximumAge !== null
          ? t('directory.result.ageMax', { max: item.maximumAge })
          : null;
  const confidentialParts = [
    item.confidential.organization ? t('directory.confidential.organization') : null,
    item.confidential.service ? t('directory.confidential.service') : null,
    item.confidential.location ? t('directory.confidential.location') : null,
  ]
    .filter(Boolean)
    .join(', ');

  return (
    <li className={`result${confidential ? ' result-confidential' : ''}`} aria-labelledby={headingId}>
      <div className="result-head">
        <span className="result-number" aria-hidden="true">
          {number}
        </span>
        <h3 id={headingId} className="result-title">
          <span className="visually-hidden">{number}. </span>
          {item.serviceName}
          <span className="result-org"> — {item.organizationName}</span>
        </h3>
        {confidential && <ConfidentialBadge detail={confidentialParts} />}
        {item.status !== 'active' && (
          <span className="badge badge-warn">
            <span aria-hidden="true">⚠ </span>
            {t('directory.result.status', { status: item.status })}
          </span>
        )}
        <span className="result-distance">
          {item.distanceKm !== null && (
            <>
              {item.confidential.location && (
                <span className="visually-hidden">{t('directory.result.about')} </span>
              )}
              {item.confidential.location && <span aria-hidden="true">≈ </span>}
              {formatDistance(item.distanceKm, locale)}
            </>
          )}
        </span>
      </div>
      <dl className="result-facts">
        {where && (
          <div>
            <dt>{t('directory.result.where')}</dt>
            <dd>
              {where}
              {item.address && !item.confidential.location && (
                <span className="muted">
                  {' '}
                  · {item.address.address1}
                  {item.address.address2 ? `, ${item.address.address2}` : ''}, {item.address.postalCode}
                </span>
              )}
              {item.confidential.location && (
                <span className="muted"> · {t('directory.result.addressHidden')}</span>
              )}
            </dd>
          </div>
        )}
        <div>
          <dt>{t('directory.result.phones')}</dt>
          <dd>
            {item.phones.length === 0 ? (
              <span className="muted">{t('directory.result.noPhone')}</span>
            ) : (
              <ul className="inline-list">
                {item.phones.map((p) => (
                  <li key={`${p.number}-${p.extension ?? ''}-${p.type ?? ''}`}>
                    <a href={telHref(p.number, p.extension)} className="phone-link">
                      {p.number}
                      {p.extension ? ` ${t('directory.result.extension', { ext: p.extension })}` : ''}
                    </a>
                    {p.description && <span className="muted"> ({p.description})</span>}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>{t('directory.result.today')}</dt>
          <dd>
            {!hours ? (
              <span className="muted">{t('directory.result.hoursUnknown')}</span>
            ) : hours.periods.length === 0 ? (
              <span className="badge">
                <span aria-hidden="true">○ </span>
                {t('directory.result.closedToday')}
              </span>
            ) : (
              <>
                {hours.openNow ? (
                  <span className="badge badge-ok">
                    <span aria-hidden="true">● </span>
                    {t('directory.result.openNow')}
                  </span>
                ) : (
                  <span className="badge">
                    <span aria-hidden="true">○ </span>
                    {t('directory.result.closedNow')}
                  </span>
                )}{' '}
                {hours.periods.some(isAllDay)
                  ? t('directory.result.allDay')
                  : hours.periods
                      .map((p) =>
                        t('directory.result.period', {
                          opens: formatClock(p.opens, locale),
                          closes: formatClock(p.closes, locale),
                        }),
                      )
                      .join(', ')}
              </>
            )}
          </dd>
        </div>
        {capacity && (
          <div>
            <dt>{t('directory.result.capacity')}</dt>
            <dd>
              <strong>
                {capacity.maximum !== null
                  ? t('directory.result.bedsOf', { available: capacity.available, maximum: capacity.maximum })
                  : t('directory.result.beds', { available: capacity.available })}
              </strong>{' '}
              <span className="muted">
                {t('directory.result.updated')} <RelativeTime value={capacity.updated} />
              </span>
            </dd>
          </div>
        )}
        {(item.eligibility || age) && (
          <div>
            <dt>{t('directory.result.eligibility')}</dt>
            <dd>{[item.eligibility, age].filter(Boolean).join(' · ')}</dd>
          </div>
        )}
        {item.languages.length > 0 && (
          <div>
            <dt>{t('directory.result.languages')}</dt>
            <dd>{item.languages.map((code) => languageName(code, locale)).join(', ')}</dd>
          </div>
        )}
        {item.populations.length > 0 && (
          <div>
            <dt>{t('directory.result.populations')}</dt>
            <dd>
              <ul className="inline-list tags">
                {item.populations.map((p) => (
                  <li key={p.code} className="tag-item">
                    {termLabel(p, locale)}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
        {item.serviceTypes.length > 0 && (
          <div>
            <dt>{t('directory.result.types')}</dt>
            <dd>{uniqueLabels(item.serviceTypes.map((s) => termLabel(s, locale))).join(', ')}</dd>
          </div>
        )}
        {item.intakeNotes && (
          <div className="result-intake">
            <dt>{t('directory.result.intake')}</dt>
            <dd>{item.intakeNotes}</dd>
          </div>
        )}
      </dl>
      {manager && (
        <p className="result-actions">
          <Link href={directoryPaths.record('service', item.serviceId)} className="text-link">
            {t('directory.result.editService')}
            <span className="visually-hidden"> — {item.serviceName}</span>
          </Link>
          <Link href={directoryPaths.record('organization', item.organizationId)} className="text-link">
            {t('directory.result.editOrganization')}
            <span className="visually-hidden"> — {item.organizationName}</span>
          </Link>
          {item.locationId && (
            <Link href={directoryPaths.record('location', item.locationId)} className="text-link">
              {t('directory.result.editLocation')}
              <span className="visually-hidden"> — {item.locationName ?? item.serviceName}</span>
            </Link>
          )}
        </p>
      )}
    </li>
  );
}
