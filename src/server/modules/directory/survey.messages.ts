/** Texts of the partner status-survey pages and e-mail (server-rendered, no console bundle), EN and FR. */
export const surveyMessages = {
  en: {
    lang: 'en-CA',
    other: 'Français',
    title: 'Confirm your listing',
    intro: 'The hotline refers people to your organisation. Please confirm or correct what we have on file.',
    services: 'Your services',
    status: 'Status',
    'status.active': 'Open as usual',
    'status.temporarily closed': 'Temporarily closed',
    'status.inactive': 'No longer offered',
    'status.defunct': 'Closed permanently',
    available: 'Beds or places available now',
    corrections: 'Anything else we should correct (hours, phone numbers, eligibility…)',
    respondent: 'Your name (optional)',
    submit: 'Send my answers',
    thanks: 'Thank you. The directory team will review your answers before anything changes.',
    already: 'This survey has already been answered. Thank you.',
    notFound: 'This link is not valid any more. If you need to update your listing, contact the hotline.',
    closesOn: 'Please answer by {date}.',
    invalid: 'Some answers are not valid: please check the highlighted fields.',
    mailSubject: 'Please confirm your listing in the referral directory',
    mailBody:
      '{message}\n\nPlease confirm or correct your listing for {organization} here (the link is personal to your organisation, do not forward it):\n{link}\n\nPlease answer by {date}.',
  },
  fr: {
    lang: 'fr-CA',
    other: 'English',
    title: 'Confirmez votre inscription',
    intro:
      'La ligne d’urgence oriente des personnes vers votre organisme. Veuillez confirmer ou corriger les renseignements que nous avons.',
    services: 'Vos services',
    status: 'État',
    'status.active': 'Ouvert comme d’habitude',
    'status.temporarily closed': 'Fermé temporairement',
    'status.inactive': 'N’est plus offert',
    'status.defunct': 'Fermé définitivement',
    available: 'Lits ou places disponibles maintenant',
    corrections: 'Autre chose à corriger (heures, numéros de téléphone, admissibilité…)',
    respondent: 'Votre nom (facultatif)',
    submit: 'Envoyer mes réponses',
    thanks: 'Merci. L’équipe du répertoire examinera vos réponses avant toute modification.',
    already: 'Ce sondage a déjà reçu une réponse. Merci.',
    notFound:
      'Ce lien n’est plus valide. Pour mettre à jour votre inscription, communiquez avec la ligne d’urgence.',
    closesOn: 'Veuillez répondre d’ici le {date}.',
    invalid: 'Certaines réponses ne sont pas valides : vérifiez les champs signalés.',
    mailSubject: 'Veuillez confirmer votre inscription au répertoire d’aiguillage',
    mailBody:
      '{message}\n\nVeuillez confirmer ou corriger l’inscription de {organization} ici (ce lien est propre à votre organisme, ne le transférez pas) :\n{link}\n\nVeuillez répondre d’ici le {date}.',
  },
} as const;

export type SurveyLang = keyof typeof surveyMessages;
export type SurveyKey = keyof (typeof surveyMessages)['en'];

export function st(lang: SurveyLang, key: SurveyKey, values: Record<string, string> = {}): string {
  return (surveyMessages[lang][key] as string).replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
}
