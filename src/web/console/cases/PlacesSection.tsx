import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { REGIONS } from '../../../shared/wrapup';
import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import { TextAreaField, TextInputField } from '../ui/fields';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { EmptyState, FormError } from '../ui/states';
import { AnswerChoice } from './answers';
import { addPlace, deletePlace } from './api';
import { caseKeys } from './caseQuery';
import { CheckedField } from './fields';
import { codeLabel } from './labels';
import type { CaseDetail, PlaceInput } from './types';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Where things happened (HTCDS events: recruitment, transit, exploitation): place, dates or a marker, description. */
export function PlacesSection({ detail, canEdit }: { detail: CaseDetail; canEdit: boolean }) {
  const t = useT();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (placeId: string) => deletePlace(detail.id, placeId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: caseKeys.detail(detail.id) }),
  });
  const personLabel = (id: string | null) => {
    const p = detail.people.find((x) => x.id === id);
    return p ? `${codeLabel(t, 'role', p.role)}${p.name ? ` — ${p.name}` : ''}` : null;
  };
  return (
    <section className="case-section" aria-labelledby="places-heading">
      <h2 id="places-heading" className="section-title">
        {t('cases.places.title')}
      </h2>
      {detail.places.length === 0 ? (
        <EmptyState>{t('cases.places.none')}</EmptyState>
      ) : (
        <ul className="place-list">
          {detail.places.map((p) => (
            <li key={p.id} className="place-item">
              <p>
                <strong>{codeLabel(t, 'place_type', p.type)}</strong>
                {' · '}
                {[p.city, p.region ? t(`region.${p.region}` as MessageId) : null, p.country]
                  .filter(Boolean)
                  .join(', ') || t('cases.answer.notAsked')}
              </p>
              <p className="small-text muted">
                {p.occurred_from || p.occurred_to
                  ? t('cases.places.dates', { from: p.occurred_from ?? '…', to: p.occurred_to ?? '…' })
                  : codeLabel(t, 'place_type', p.date_marker)}
                {personLabel(p.person_id) && ` · ${personLabel(p.person_id)}`}
              </p>
              {p.description && <p className="note-body">{p.description}</p>}
              {canEdit && (
                <Button className="button small" onPress={() => remove.mutate(p.id)}>
                  {t('cases.places.remove', { type: codeLabel(t, 'place_type', p.type) })}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <FormError error={remove.error} />
      {canEdit && <NewPlaceForm detail={detail} />}
    </section>
  );
}

function NewPlaceForm({ detail }: { detail: CaseDetail }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [type, setType] = useState<string | null>(null);
  const [personId, setPersonId] = useState<string>('');
  const [region, setRegion] = useState('');
  const [city, setCity] = useState('');
  const [country, setCountry] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [dateMarker, setDateMarker] = useState<string | null>(null);
  const [description, setDescription] = useState('');
  const [tried, setTried] = useState(false);
  const [saved, setSaved] = useState('');
  const mutation = useMutation({
    mutationFn: (body: PlaceInput) => addPlace(detail.id, body),
    onSuccess: () => {
      setType(null);
      setCity('');
      setCountry('');
      setFrom('');
      setTo('');
      setDescription('');
      setTried(false);
      setSaved(t('cases.places.added'));
      void queryClient.invalidateQueries({ queryKey: caseKeys.detail(detail.id) });
    },
  });
  const badFrom = from !== '' && !DATE.test(from);
  const badTo = to !== '' && !DATE.test(to);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    setTried(true);
    setSaved('');
    if (!type || badFrom || badTo) return;
    mutation.mutate({
      type,
      person_id: personId || null,
      region: region || null,
      city: city.trim() || null,
      country: country.trim().toUpperCase() || null,
      occurred_from: from || null,
      occurred_to: to || null,
      date_marker: from || to ? null : dateMarker,
      description: description.trim() || null,
    });
  };
  return (
    <Form onSubmit={submit} className="stack new-place" aria-labelledby="new-place-heading">
      <h3 id="new-place-heading" className="subsection-title">
        {t('cases.places.add')}
      </h3>
      <AnswerChoice
        label={t('cases.places.type')}
        group="place_type"
        value={type}
        onChange={setType}
        allowNotAsked={false}
        markers={false}
        variant="radio"
      />
      <div role="alert" className={tried && !type ? 'form-error' : 'form-error-slot'}>
        {tried && !type ? t('cases.places.typeMissing') : null}
      </div>
      <div className="form-grid">
        <SelectField
          label={t('cases.places.person')}
          options={[
            { id: '', label: t('cases.places.noPerson') },
            ...detail.people.map((p) => ({
              id: p.id,
              label: `${codeLabel(t, 'role', p.role)}${p.name ? ` — ${p.name}` : ''}`,
            })),
          ]}
          value={personId}
          onChange={setPersonId}
        />
        <SelectField
          label={t('cases.search.region')}
          options={[
            { id: '', label: t('cases.answer.notAsked') },
            ...REGIONS.map((r) => ({ id: r, label: t(`region.${r}` as MessageId) })),
          ]}
          value={region}
          onChange={setRegion}
        />
        <TextInputField label={t('cases.search.city')} value={city} onChange={setCity} maxLength={100} />
        <TextInputField
          label={t('cases.places.country')}
          description={t('cases.places.countryHelp')}
          value={country}
          onChange={setCountry}
          maxLength={2}
        />
        <CheckedField
          label={t('cases.places.from')}
          description={t('cases.search.dateHelp')}
          value={from}
          onChange={setFrom}
          placeholder="2026-01-31"
          error={tried && badFrom ? t('cases.places.dateInvalid') : undefined}
        />
        <CheckedField
          label={t('cases.places.to')}
          description={t('cases.search.dateHelp')}
          value={to}
          onChange={setTo}
          placeholder="2026-12-31"
          error={tried && badTo ? t('cases.places.dateInvalid') : undefined}
        />
      </div>
      {from === '' && to === '' && (
        <AnswerChoice
          label={t('cases.places.when')}
          group="place_type"
          codes={[]}
          value={dateMarker}
          onChange={setDateMarker}
          variant="radio"
        />
      )}
      <TextAreaField
        label={t('cases.places.description')}
        value={description}
        onChange={setDescription}
        maxLength={2000}
      />
      <FormError error={mutation.error} />
      <div className="form-actions">
        <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
          {t('cases.places.submit')}
        </PendingButton>
      </div>
      <p role="status" className="status-line">
        {saved}
      </p>
    </Form>
  );
}
