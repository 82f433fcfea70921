import './queue.css';
import { useT } from '../locale';
import { useQueueSnapshot } from './queries';

/** Beside "Queue" in the navigation: how many offers wait for me, so none goes unseen on another page. */
export function OfferCount() {
  const t = useT();
  const snapshot = useQueueSnapshot();
  const count = snapshot.data?.offers.length ?? 0;
  if (count === 0) return null;
  return (
    <span className="nav-count">
      <span aria-hidden="true">{count}</span>
      <span className="visually-hidden">{t('queue.nav.offers', { count })}</span>
    </span>
  );
}
