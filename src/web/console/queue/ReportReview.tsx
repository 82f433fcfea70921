import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import type { ReportContent } from './types';

const HOW: Record<string, MessageId> = {
  phone: 'report.how.phone',
  sms: 'report.how.sms',
  email: 'report.how.email',
};

/** A report from the online form, for review: what the person wrote and how (if at all) they may be reached. */
export function ReportReview({ report }: { report: ReportContent | null }) {
  const t = useT();
  if (!report) return <p className="notice">{t('report.unavailable')}</p>;
  const contact = report.contact;
  const safe = report.safeToContact;
  const hasContact = Boolean(contact && (contact.name || contact.phone || contact.email));
  return (
    <section className="report-review" aria-labelledby="report-heading">
      <h3 id="report-heading" className="queue-panel-title">
        {t('report.title')}
      </h3>
      <dl className="report-facts">
        <div>
          <dt>{t('report.situation')}</dt>
          <dd className="report-text">{report.situation}</dd>
        </div>
        {report.where && (
          <div>
            <dt>{t('report.where')}</dt>
            <dd>{report.where}</dd>
          </div>
        )}
        {report.when && (
          <div>
            <dt>{t('report.when')}</dt>
            <dd>{report.when}</dd>
          </div>
        )}
        <div>
          <dt>{t('report.contact')}</dt>
          <dd>
            {hasContact
              ? [contact?.name, contact?.phone, contact?.email].filter(Boolean).join(' · ')
              : t('report.anonymous')}
          </dd>
        </div>
        {hasContact && safe && (
          <div>
            <dt>{t('report.safeToContact')}</dt>
            <dd>
              {safe.how === 'none' || !safe.how
                ? t('report.safe.none')
                : t('report.safe.how', { how: HOW[safe.how] ? t(HOW[safe.how] as MessageId) : safe.how })}
              {safe.when ? ` · ${safe.when}` : ''}
              {safe.leaveMessage === true
                ? ` · ${t('report.safe.message')}`
                : safe.leaveMessage === false
                  ? ` · ${t('report.safe.noMessage')}`
                  : ''}
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}
