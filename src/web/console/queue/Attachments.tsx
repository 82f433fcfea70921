import { useIntl } from 'react-intl';
import { useT } from '../locale';
import { attachmentUrl } from './api';
import { ATTACHMENT_STATE_LABELS } from './channels';
import type { AttachmentInfo } from './types';

/** "12 kB", "1.4 MB" in the UI's language. */
export function useFileSize(): (bytes: number) => string {
  const intl = useIntl();
  return (bytes: number) =>
    bytes >= 1024 * 1024
      ? intl.formatNumber(bytes / (1024 * 1024), {
          style: 'unit',
          unit: 'megabyte',
          maximumFractionDigits: 1,
        })
      : intl.formatNumber(Math.max(1, Math.round(bytes / 1024)), { style: 'unit', unit: 'kilobyte' });
}

/**
 * Files that came with a message: type, size and state, and a download link for the ones Harbour kept. A file
 * is never shown in the page (the server sends it as a download, sandboxed); a refused one says why.
 */
export function AttachmentList({ attachments, label }: { attachments: AttachmentInfo[]; label: string }) {
  const t = useT();
  const size = useFileSize();
  if (attachments.length === 0) return null;
  return (
    <ul className="attachment-list" aria-label={label}>
      {attachments.map((a) => {
        const name = a.filename || t('channel.attachment.unnamed');
        const details = t('channel.attachment.details', { type: a.contentType, size: size(a.sizeBytes) });
        return (
          <li key={a.id} className={`attachment attachment-${a.state}`}>
            <span aria-hidden="true">{a.state === 'stored' ? '↓ ' : '⚠ '}</span>
            {a.state === 'stored' ? (
              <a className="text-link" href={attachmentUrl(a.id)} download rel="noopener">
                {t('channel.attachment.download', { name })}
              </a>
            ) : (
              <span className="attachment-name">{name}</span>
            )}{' '}
            <span className="muted small-text">({details})</span>
            {a.state !== 'stored' && (
              <span className="attachment-refused">
                {t(ATTACHMENT_STATE_LABELS[a.state] ?? 'channel.attachment.failed')}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
