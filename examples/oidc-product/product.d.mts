// Types of product.mjs, for the end-to-end test that runs it (test/browser/oidc-product.test.ts).
import type { Server } from 'node:http';

export interface ProductOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  port?: number;
  /** Allow an http:// issuer (local trials and tests only). */
  insecure?: boolean;
}

export interface RunningProduct {
  server: Server;
  /** The product's sessions, by cookie. */
  sessions: Map<string, unknown>;
  close(): Promise<void>;
}

export function startProduct(options: ProductOptions): Promise<RunningProduct>;
