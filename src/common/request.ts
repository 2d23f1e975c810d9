/**
 * The one way the frontend calls the server extension: every feature's typed
 * client (jobs/api.ts, kernels/api.ts, modules/api.ts) goes through
 * `requestAPI`, so the base URL, the token and the error handling live in one
 * place (the server's counterpart is base/handlers.py).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** The URL namespace of the server extension, under the server's base URL. */
export const API_NAMESPACE = 'jupyterlab-hpc';

/**
 * A failed request, carrying a message meant for a person.
 *
 * `status` is the HTTP status, or 0 when the server could not be reached.
 * `field` names the request field the server refused (e.g. a submit option
 * such as `partition`), `''` when the error is not about one field.
 */
export class HPCApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly detail: string = '',
    readonly field: string = ''
  ) {
    super(message);
    this.name = 'HPCApiError';
  }
}

/**
 * Call the server extension and decode its JSON answer.
 *
 * @param endPoint - path under `{base_url}jupyterlab-hpc/`, with its query.
 * @param init - the fetch options (method, body...).
 * @param settings - the server connection; defaults to the page's.
 * @throws HPCApiError with the server's `message` on a 4xx/5xx answer, and
 * with status 0 when the server cannot be reached.
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new HPCApiError(
      `Could not reach the Jupyter server (${errorText(error)}).`,
      0
    );
  }

  let text = '';
  try {
    text = await response.text();
  } catch (error) {
    throw new HPCApiError(
      `The connection to the Jupyter server broke (${errorText(error)}).`,
      0
    );
  }
  let data: unknown = null;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }

  if (!response.ok) {
    const body = (data ?? {}) as {
      message?: unknown;
      detail?: unknown;
      field?: unknown;
    };
    const message =
      typeof body.message === 'string' && body.message
        ? body.message
        : `The Jupyter server answered ${response.status} ${response.statusText}`.trim() +
          '.';
    const detail = typeof body.detail === 'string' ? body.detail : '';
    const field = typeof body.field === 'string' ? body.field : '';
    throw new HPCApiError(message, response.status, detail, field);
  }
  if (data === null && text.length > 0) {
    throw new HPCApiError(
      'The Jupyter server sent an answer that is not JSON.',
      response.status
    );
  }
  return data as T;
}

function errorText(error: unknown): string {
  if (error instanceof Error && error.message) {
    return error.message;
  }
  return String(error);
}
