import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import { useLocale, useT } from '../locale';
import { EmptyState, FormError } from '../ui/states';
import { acceptOffer, declineOffer } from './api';
import { CHANNEL_ICONS, languageName } from './channels';
import { useTick } from './clock';
import { crossedThreshold, offerDeadline, secondsLeft } from './countdown';
import { useDuration } from './Duration';
import { queueKeys } from './keys';
import { CHANNEL_LABELS, LANGUAGE_LABELS, labelOf } from './labels';
import type { Offer } from './types';

/**
 * Offers made to me, each with a visible countdown. Screen readers hear a new offer once, then once more at
 * 10 s left, through one polite status line, never the ticking seconds. If an offer disappears while focus is
 * on it (taken, withdrawn, timed out), focus goes to this panel's heading instead of getting lost.
 */
export function OffersPanel({
  offers,
  onAccepted,
}: {
  offers: Offer[];
  onAccepted: (signalId: string) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const duration = useDuration();
  const queryClient = useQueryClient();
  const now = useTick(offers.length > 0);
  const firstSeen = useRef(new Map<string, number>());
  const lastLeft = useRef(new Map<string, number>());
  const answered = useRef(new Set<string>());
  const [announcement, setAnnouncement] = useState('');
  const headingRef = useRef<HTMLHeadingElement>(null);
  const sectionRef = useRef<HTMLElement>(null);
  const focusInside = useRef(false);

  for (const offer of offers)
    if (!firstSeen.current.has(offer.id)) firstSeen.current.set(offer.id, Date.now());
  const describe = (offer: Offer) => ({
    channel: labelOf(CHANNEL_LABELS, offer.channel, t),
    language: labelOf(LANGUAGE_LABELS, offer.language, t),
  });

  // New offers and offers gone: announce once; forget what is gone.
  const ids = offers.map((o) => o.id).join(',');
  const previous = useRef<Offer[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the set of offer ids
  useEffect(() => {
    const before = new Map(previous.current.map((o) => [o.id, o]));
    const added = offers.filter((o) => !before.has(o.id));
    const gone = previous.current.filter((o) => !offers.some((n) => n.id === o.id));
    previous.current = offers;
    const added0 = added[0];
    if (added0) {
      const left = secondsLeft(
        offerDeadline(added0, firstSeen.current.get(added0.id) ?? Date.now()),
        Date.now(),
      );
      setAnnouncement(
        t('queue.offers.announceNew', {
          ...describe(added0),
          waited: duration(added0.waitedS),
          seconds: left,
        }),
      );
    } else {
      const missed = gone.find((o) => !answered.current.has(o.id));
      if (missed) setAnnouncement(t('queue.offers.announceGone', describe(missed)));
    }
    for (const o of gone) {
      firstSeen.current.delete(o.id);
      lastLeft.current.delete(o.id);
    }
    const active = document.activeElement;
    if (
      // Only when focus fell to the page (its button vanished); focus moved elsewhere on purpose stays there.
      focusInside.current &&
      (!active || active === document.body)
    ) {
      headingRef.current?.focus();
    }
  }, [ids]);

  // Focus anywhere else on the page (even after a button here lost it silently) means it is no longer ours.
  useEffect(() => {
    const onFocusIn = (event: FocusEvent) => {
      focusInside.current = sectionRef.current?.contains(event.target as Node | null) ?? false;
    };
    document.addEventListener('focusin', onFocusIn);
    return () => document.removeEventListener('focusin', onFocusIn);
  }, []);

  // Crossing 10 s left: one polite reminder.
  useEffect(() => {
    for (const offer of offers) {
      const left = secondsLeft(offerDeadline(offer, firstSeen.current.get(offer.id) ?? now), now);
      const before = lastLeft.current.get(offer.id);
      lastLeft.current.set(offer.id, left);
      if (before !== undefined && crossedThreshold(before, left) !== null)
        setAnnouncement(t('queue.offers.announceSoon', { ...describe(offer), seconds: left }));
    }
  });

  const invalidate = () => queryClient.invalidateQueries({ queryKey: queueKeys.snapshot });
  const accept = useMutation({
    mutationFn: (offer: Offer) => acceptOffer(offer.id),
    onMutate: (offer) => answered.current.add(offer.id),
    onSuccess: (result, offer) => {
      void invalidate();
      onAccepted(result?.signalId ?? offer.signalId);
    },
    onError: () => void invalidate(),
  });
  const decline = useMutation({
    mutationFn: (offer: Offer) => declineOffer(offer.id),
    onMutate: (offer) => answered.current.add(offer.id),
    onSuccess: () => {
      headingRef.current?.focus();
      void invalidate();
    },
    onError: () => void invalidate(),
  });
  const busy = accept.isPending || decline.isPending;

  return (
    <section
      ref={sectionRef}
      className="queue-panel"
      aria-labelledby="offers-heading"
      onFocus={() => {
        focusInside.current = true;
      }}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) focusInside.current = false;
      }}
    >
      <h2 id="offers-heading" className="queue-panel-title" ref={headingRef} tabIndex={-1}>
        {t('queue.offers.title')} {offers.length > 0 && <span className="count-badge">{offers.length}</span>}
      </h2>
      <p role="status" className="visually-hidden">
        {announcement}
      </p>
      {offers.length === 0 ? (
        <EmptyState>{t('queue.offers.empty')}</EmptyState>
      ) : (
        <ul className="offer-list">
          {offers.map((offer) => {
            const left = secondsLeft(offerDeadline(offer, firstSeen.current.get(offer.id) ?? now), now);
            const { channel, language } = describe(offer);
            const waited =
              offer.waitedS +
              Math.max(0, Math.round((now - (firstSeen.current.get(offer.id) ?? now)) / 1000));
            return (
              <li key={offer.id} className={`offer-card${left <= 10 ? ' is-urgent' : ''}`}>
                <p className="offer-title">
                  <span className="channel-icon" aria-hidden="true">
                    {CHANNEL_ICONS[offer.channel] ?? ''}
                  </span>
                  <strong>{t('queue.offers.what', { channel, language })}</strong>
                </p>
                {offer.interpreterLanguage && (
                  <p className="small-text">
                    {t('queue.offers.interpreter', {
                      language: languageName(offer.interpreterLanguage, locale),
                    })}
                  </p>
                )}
                <p className="offer-meta">
                  <span>{t('queue.offers.waited', { duration: duration(waited) })}</span>
                  <span className="offer-countdown">
                    {left <= 10 && (
                      <span className="icon" aria-hidden="true">
                        ⏱{' '}
                      </span>
                    )}
                    {t('queue.offers.left', { seconds: left })}
                  </span>
                </p>
                <div className="offer-actions">
                  <Button
                    className="button primary"
                    isDisabled={busy}
                    onPress={() => accept.mutate(offer)}
                    aria-label={t('queue.offers.acceptLabel', { channel, language })}
                  >
                    {t('queue.offers.accept')}
                  </Button>
                  <Button
                    className="button"
                    isDisabled={busy}
                    onPress={() => decline.mutate(offer)}
                    aria-label={t('queue.offers.declineLabel', { channel, language })}
                  >
                    {t('queue.offers.decline')}
                  </Button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <FormError error={accept.error ?? decline.error} />
    </section>
  );
}
