/* Generated from crds/rpc-message.schema.yaml by `npm run gen`. Do not edit by hand. */

/**
 * An RFC 3339 date-time with a time zone (Z or ±hh:mm); we write UTC with a Z suffix.
 */
export type Rfc3339 = string;

/**
 * A syft-rpc request or response envelope.
 */
export interface RpcMessage {
  /**
   * A UUID; the request and its response share it, and it names both files.
   */
  id: string;
  /**
   * An email address (the datasite that wrote the message).
   */
  sender: string;
  /**
   * A syft URL of the form syft://<email>/app_data/<app>/rpc/<endpoint>, with an optional query string.
   */
  url: string;
  /**
   * The payload bytes as base64 with padding, so its length is a multiple of 4 (we write the URL-safe alphabet, Go writes the standard one; one alphabet per text); absent or null when empty.
   */
  body?: string | null;
  /**
   * String headers; requests carry x-syft-url (the message URL).
   */
  headers?: {
    [k: string]: string;
  } | null;
  created: Rfc3339;
  expires: Rfc3339;
  /**
   * HTTP-like method; present on requests.
   */
  method?: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  /**
   * HTTP-like status; present on responses (200 ok, 400 bad request, 403 forbidden, 413 too large, 419 expired, 500 error).
   */
  status_code?: number;
}
