import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import { FIELDS } from './recordForm';

const EXTRA_LABELS: Record<string, MessageId> = {
  languages: 'directory.result.languages',
  populations: 'directory.filter.populations',
  serviceTypes: 'directory.field.serviceTypes',
  phones: 'directory.result.phones',
  status: 'directory.field.status',
  confidential: 'directory.field.confidential',
  organizationType: 'directory.field.organizationType',
  jurisdiction: 'directory.field.jurisdiction',
  address: 'directory.record.section.address',
  available: 'directory.capacity.available',
  maximum: 'directory.capacity.maximum',
};

/** A changed field's name in the UI language ("Name — French"); an unknown one stays as its code. */
export function useFieldLabel(): (field: string) => string {
  const t = useT();
  return (field: string) => {
    const specs = Object.values(FIELDS).flat();
    const [head, lang, key] = field.split('.');
    if (head === 'translations' && lang && key) {
      const spec = specs.find((f) => f.translation === key);
      const language = lang.startsWith('fr')
        ? t('directory.lang.fr')
        : lang.startsWith('en')
          ? t('directory.lang.en')
          : lang;
      return t('directory.proposals.translatedField', { field: spec ? t(spec.label) : key, language });
    }
    const spec = specs.find((f) => f.key === field);
    if (spec) return t(spec.label);
    const extra = EXTRA_LABELS[field];
    return extra ? t(extra) : field;
  };
}
