import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import {
  Button,
  Header,
  Label,
  Menu,
  MenuItem,
  MenuSection,
  MenuTrigger,
  Popover,
  Text,
  TextArea,
  TextField,
} from 'react-aria-components';
import { useLocale, useT } from '../locale';
import { sendTyping } from './api';
import { outboxStore } from './outbox';
import { useCannedResponses } from './queries';
import type { CannedResponse, QueueLanguage } from './types';

export const MAX_MESSAGE = 4000;
/** An e-mail reply may be longer (docs/api/channels.md: 20,000 characters). */
export const MAX_EMAIL = 20_000;
const TYPING_IDLE_MS = 4000;
const TYPING_REPEAT_MS = 3000;

type CannedLanguage = 'en' | 'fr';

/** Which canned-response language comes first: the conversation's, else the UI's. */
function cannedOrder(conversation: QueueLanguage, ui: string): CannedLanguage[] {
  const first: CannedLanguage =
    conversation === 'fr' || conversation === 'en' ? conversation : ui.startsWith('fr') ? 'fr' : 'en';
  return first === 'fr' ? ['fr', 'en'] : ['en', 'fr'];
}

/**
 * The advocate's message box. Enter sends, Shift+Enter starts a new line; the draft is kept per conversation
 * (switching away and back loses nothing). Canned responses go in at the cursor, in either official language.
 * The visitor sees "typing" while the advocate types (sent at most every few seconds, off after a pause).
 */
export function Composer({
  signalId,
  language,
  onSend,
  disabled,
  insertRef,
  maxLength = MAX_MESSAGE,
  describedBy,
}: {
  signalId: string;
  language: QueueLanguage;
  onSend: (text: string) => void;
  disabled: boolean;
  /** Longest message: 4,000 characters, 20,000 for an e-mail. */
  maxLength?: number;
  /** Why the box is disabled (e.g. WhatsApp's reply window has closed). */
  describedBy?: string;
  /** Lets the transcript put a failed message back here to edit it. */
  insertRef: { current: ((text: string) => void) | null };
}) {
  const t = useT();
  const { locale } = useLocale();
  const [text, setText] = useState(() => outboxStore.draft(signalId));
  const area = useRef<HTMLTextAreaElement>(null);
  const typing = useRef({
    on: false,
    lastSent: 0,
    idle: undefined as ReturnType<typeof setTimeout> | undefined,
  });
  const canned = useCannedResponses();

  const change = (value: string) => {
    setText(value);
    outboxStore.setDraft(signalId, value);
    const state = typing.current;
    const now = Date.now();
    if (value && (!state.on || now - state.lastSent > TYPING_REPEAT_MS)) {
      state.on = true;
      state.lastSent = now;
      sendTyping(signalId, true).catch(() => undefined);
    }
    if (state.idle) clearTimeout(state.idle);
    state.idle = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const stopTyping = () => {
    const state = typing.current;
    if (state.idle) clearTimeout(state.idle);
    state.idle = undefined;
    if (!state.on) return;
    state.on = false;
    sendTyping(signalId, false).catch(() => undefined);
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: stop "typing" when leaving this conversation
  useEffect(() => stopTyping, [signalId]);

  const insert = (snippet: string) => {
    const el = area.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const before = text.slice(0, start);
    const after = text.slice(end);
    const spacer = before && !/\s$/.test(before) ? ' ' : '';
    const next = `${before}${spacer}${snippet}${after}`.slice(0, maxLength);
    change(next);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      const caret = Math.min(next.length, before.length + spacer.length + snippet.length);
      el.setSelectionRange(caret, caret);
    });
  };
  insertRef.current = (snippet: string) => insert(snippet);

  const send = () => {
    const value = text.trim();
    if (!value || disabled) return;
    stopTyping();
    onSend(value);
    setText('');
    outboxStore.setDraft(signalId, '');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  const responses = canned.data ?? [];
  const order = cannedOrder(language, locale);
  const title = (r: CannedResponse, lang: CannedLanguage) => (lang === 'fr' ? r.titleFr : r.titleEn);
  const body = (r: CannedResponse, lang: CannedLanguage) => (lang === 'fr' ? r.bodyFr : r.bodyEn);

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <TextField
        className="field composer-field"
        value={text}
        onChange={change}
        isDisabled={disabled}
        aria-describedby={describedBy}
      >
        <Label className="field-label">{t('conversation.composer.label')}</Label>
        <Text slot="description" className="field-description">
          {t('conversation.composer.help')}
        </Text>
        <TextArea
          ref={area}
          className="input textarea composer-input"
          rows={3}
          maxLength={maxLength}
          onKeyDown={onKeyDown}
        />
      </TextField>
      <div className="composer-actions">
        <MenuTrigger>
          <Button className="button" isDisabled={disabled || responses.length === 0}>
            {t('conversation.canned.button')}
            <span aria-hidden="true" className="chevron">
              ▾
            </span>
          </Button>
          <Popover className="popover" placement="top start">
            <Menu
              className="menu canned-menu"
              aria-label={t('conversation.canned.button')}
              onAction={(key) => {
                const [lang, id] = String(key).split(':');
                const response = responses.find((r) => r.id === id);
                if (response) insert(body(response, lang === 'fr' ? 'fr' : 'en'));
              }}
            >
              {order.map((lang) => (
                <MenuSection key={lang}>
                  <Header className="menu-header">
                    {t(lang === 'fr' ? 'conversation.canned.inFrench' : 'conversation.canned.inEnglish')}
                  </Header>
                  {responses.map((r) => (
                    <MenuItem
                      key={`${lang}:${r.id}`}
                      id={`${lang}:${r.id}`}
                      className="menu-item"
                      textValue={title(r, lang)}
                    >
                      <span lang={lang === 'fr' ? 'fr-CA' : 'en-CA'}>{title(r, lang)}</span>
                    </MenuItem>
                  ))}
                </MenuSection>
              ))}
            </Menu>
          </Popover>
        </MenuTrigger>
        {text.length > maxLength - 200 && (
          <span className="small-text muted">
            {t('conversation.composer.count', { count: text.length, max: maxLength })}
          </span>
        )}
        <Button type="submit" className="button primary" isDisabled={disabled || !text.trim()}>
          {t('conversation.send')}
        </Button>
      </div>
    </form>
  );
}
