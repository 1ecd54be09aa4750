// A record's messages under its card: newest first, who wrote each (a person or a process) and
// when, the text with its mentions (`<@catalogId:recordId;Title/@>`) as chips, files as download
// links; and a box to write one, files included (uploaded first, then named by id).
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { query } from "../api.js";
import { useApp } from "../ui/context.js";
import { formatTime } from "../ui/format.js";
import { useLoad, useSubmit } from "../ui/hooks.js";
import { Empty, ErrorBox, Link, Loading } from "../ui/widgets.jsx";

const LIMIT = 50;
// The product's mention form; what the server parsed is in `mentions`, this only places them.
const MENTION = /<@(\$?[A-Za-z0-9_]{1,64}):([A-Za-z0-9_-]{1,64});([^<>]{0,200}?)\/@>/g;

export function RecordMessages({ catalogId, recordId }) {
  const { api, t } = useApp();
  const base = `api/v1/catalogs/${catalogId}/records/${recordId}/messages`;
  const messages = useLoad(() => api.get(`${base}${query({ limit: LIMIT })}`), [base]);
  const [text, setText] = useState("");
  const [files, setFiles] = useState([]);
  const [picker, setPicker] = useState(0); // a new key empties the file input after sending

  const form = useSubmit(async () => {
    const attachments = [];
    for (const file of files) {
      const stored = await api.post(`api/v1/files${query({ name: file.name })}`, file, {
        contentType: file.type || "application/octet-stream",
      });
      attachments.push(stored.id);
    }
    await api.post(base, { text, attachments });
    setText("");
    setFiles([]);
    setPicker((n) => n + 1);
    await messages.reload({ quiet: true });
  });
  const textError = form.error?.fieldErrors?.().text;

  return (
    <section class="card record-messages" data-testid="record-messages">
      <h2>{t("messages.title")}</h2>
      <form class="message-form" onSubmit={form.submit} data-testid="message-form">
        <textarea
          name="message-text"
          rows={3}
          placeholder={t("messages.placeholder")}
          aria-label={t("messages.placeholder")}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        {textError && <div class="field-error">{textError}</div>}
        <div class="message-form-row">
          <input
            key={picker}
            type="file"
            multiple
            name="message-files"
            aria-label={t("messages.attach")}
            onChange={(e) => setFiles([...e.currentTarget.files])}
          />
          <button type="submit" class="primary" disabled={form.busy} data-testid="send-message">
            {t("messages.send")}
          </button>
        </div>
        {form.error && !textError && <ErrorBox error={form.error} />}
      </form>
      <ErrorBox error={messages.error} />
      {messages.loading && !messages.data ? (
        <Loading />
      ) : !messages.data?.length ? (
        <Empty>{t("messages.none")}</Empty>
      ) : (
        <ol class="messages" data-testid="messages">
          {messages.data.map((message) => (
            <Message key={message.id} message={message} />
          ))}
        </ol>
      )}
    </section>
  );
}

function Message({ message }) {
  const { t } = useApp();
  const { author } = message;
  const byProcess = author.kind === "process";
  return (
    <li class={`message${byProcess ? " by-process" : ""}`} data-message={message.id}>
      <div class="message-head">
        <span class="message-author" data-testid="message-author">
          {byProcess ? (
            <Link to={`processes/${encodeURIComponent(author.id)}`} title={author.id}>
              {t("messages.byProcess", { scenario: author.title || author.id })}
            </Link>
          ) : (
            author.title || author.id
          )}
        </span>
        <time class="muted" dateTime={message.createdAt}>
          {formatTime(message.createdAt)}
        </time>
      </div>
      {message.text && <p class="message-text">{withMentions(message.text)}</p>}
      {message.attachments.length > 0 && (
        <ul class="message-files">
          {message.attachments.map((file) => (
            <li key={file.id}>
              <a href={`api/v1/files/${encodeURIComponent(file.id)}`} download={file.name}>
                {file.name}
              </a>{" "}
              <span class="muted">{formatSize(file.size)}</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

// The text in pieces: plain runs, and each mention as a chip (a link to the record when it
// names a catalog by id; users have no page here).
function withMentions(text) {
  const pieces = [];
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    if (match.index > last) pieces.push(text.slice(last, match.index));
    const [, catalogId, recordId, title] = match;
    const label = `@${title || recordId}`;
    const key = `m${match.index}`;
    pieces.push(
      /^[0-9]+$/.test(catalogId) ? (
        <Link key={key} to={`catalogs/${catalogId}/records/${recordId}`} class="mention" data-mention={`${catalogId}:${recordId}`}>
          {label}
        </Link>
      ) : (
        <span key={key} class="mention" title={`${catalogId}:${recordId}`} data-mention={`${catalogId}:${recordId}`}>
          {label}
        </span>
      ),
    );
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  return pieces;
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
