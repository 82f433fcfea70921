import type { Db } from '../../platform/db.js';
import { type CannedSeed, cannedRepository as repo } from './canned.repository.js';

/**
 * The snippets an advocate starts from, in both official languages. Trauma-informed: the person decides the
 * pace, is never pressed for details, knows they can leave at any moment and how to get emergency help.
 * The 0007 migration seeds the first four; this list also restores them when the table was emptied.
 */
export const CANNED_SEEDS: CannedSeed[] = [
  {
    key: 'greeting',
    titleEn: 'Greeting',
    titleFr: 'Accueil',
    bodyEn:
      'Hello, thank you for reaching out. I am an advocate with the hotline. This conversation is confidential. How can I help you today?',
    bodyFr:
      "Bonjour, merci de nous avoir écrit. Je suis intervenante ou intervenant à la ligne d'urgence. Cette conversation est confidentielle. Comment puis-je vous aider aujourd'hui?",
    sortOrder: 10,
  },
  {
    key: 'safety_check',
    titleEn: 'Safety check',
    titleFr: 'Vérification de sécurité',
    bodyEn:
      'Before we continue: are you in a safe place to talk right now? If someone comes in, you can close this window at any time with the Quick exit button.',
    bodyFr:
      "Avant de continuer : êtes-vous dans un endroit sûr pour discuter en ce moment? Si quelqu'un arrive, vous pouvez fermer cette fenêtre en tout temps avec le bouton Sortie rapide.",
    sortOrder: 20,
  },
  {
    key: 'emergency',
    titleEn: 'Emergency',
    titleFr: 'Urgence',
    bodyEn:
      'If you or someone else is in immediate danger, please call 911 now. I will stay here if you want to come back after.',
    bodyFr:
      'Si vous ou une autre personne êtes en danger immédiat, composez le 911 maintenant. Je reste ici si vous voulez revenir ensuite.',
    sortOrder: 30,
  },
  {
    key: 'your_pace',
    titleEn: 'Your pace',
    titleFr: 'À votre rythme',
    bodyEn:
      'Take all the time you need. You only share what you are comfortable sharing, and you can skip any question.',
    bodyFr:
      'Prenez tout le temps dont vous avez besoin. Vous ne dites que ce que vous êtes à l’aise de dire, et vous pouvez passer n’importe quelle question.',
    sortOrder: 35,
  },
  {
    key: 'closing',
    titleEn: 'Closing',
    titleFr: 'Conclusion',
    bodyEn:
      'Thank you for trusting us. You can reach the hotline again at any time, day or night, by chat, phone or the online form.',
    bodyFr:
      'Merci de votre confiance. Vous pouvez joindre la ligne d’urgence de nouveau en tout temps, jour et nuit, par clavardage, par téléphone ou par le formulaire en ligne.',
    sortOrder: 40,
  },
];

/** At start: an empty table gets the seeds (a table with rows is the hotline's own and left alone). */
export async function seedCannedResponses(db: Db): Promise<number> {
  if ((await repo.count(db)) > 0) return 0;
  return repo.insertMissing(db, CANNED_SEEDS);
}
