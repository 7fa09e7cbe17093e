// The SCIM User wire shape (RFC 7643 §4.1, §4.3) with canonical attribute names: what
// normalizeUserInput returns, what applyPatch and mergeReplace take and return. The Enterprise
// extension lives under its URN key. Stored documents hold no nulls; inputs may (null = clear).
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../schemas/urns.ts';

export type ScimValue = string | number | boolean | null | ScimComplex | ScimValue[];

/** A complex value: sub-attribute name → value. Keys are always canonical attribute names. */
export interface ScimComplex {
  [name: string]: ScimValue | undefined;
}

/** An element of a multi-valued attribute (RFC 7643 §2.4). */
export interface ScimMultiValue extends ScimComplex {
  value?: string;
  display?: string;
  type?: string;
  primary?: boolean;
}

export interface ScimName extends ScimComplex {
  formatted?: string;
  familyName?: string;
  givenName?: string;
  middleName?: string;
  honorificPrefix?: string;
  honorificSuffix?: string;
}

export interface ScimAddress extends ScimComplex {
  formatted?: string;
  streetAddress?: string;
  locality?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  type?: string;
  primary?: boolean;
}

export interface ScimMeta extends ScimComplex {
  resourceType?: string;
  created?: string;
  lastModified?: string;
  location?: string;
  version?: string;
}

export interface ScimEnterpriseUser extends ScimComplex {
  employeeNumber?: string;
  costCenter?: string;
  organization?: string;
  division?: string;
  department?: string;
  manager?: { value?: string; $ref?: string; displayName?: string };
}

export interface ScimUserDocument extends ScimComplex {
  schemas?: string[];
  id?: string;
  externalId?: string;
  meta?: ScimMeta;
  userName?: string;
  name?: ScimName;
  displayName?: string;
  nickName?: string;
  profileUrl?: string;
  title?: string;
  userType?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  active?: boolean;
  emails?: ScimMultiValue[];
  phoneNumbers?: ScimMultiValue[];
  ims?: ScimMultiValue[];
  photos?: ScimMultiValue[];
  addresses?: ScimAddress[];
  groups?: ScimMultiValue[];
  entitlements?: ScimMultiValue[];
  roles?: ScimMultiValue[];
  x509Certificates?: ScimMultiValue[];
  [ENTERPRISE_USER_SCHEMA]?: ScimEnterpriseUser;
}

/** Every property of T (recursively) may also be `null`, meaning "clear this". */
export type Nullable<T> = T extends (infer E)[]
  ? Nullable<E>[]
  : T extends object
    ? { [K in keyof T]: Nullable<T[K]> | null }
    : T;

/** A normalized POST/PUT body: canonical names, checked types; `null` = clear, absent = omitted. */
export type ScimUserInput = Nullable<ScimUserDocument>;

export function isComplex(value: unknown): value is ScimComplex {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Schemas follow content: the Enterprise URN is listed exactly when the extension is present. */
export function withSchemas<T extends ScimComplex>(document: T): T {
  const extension = document[ENTERPRISE_USER_SCHEMA];
  const hasExtension = isComplex(extension) && Object.keys(extension).length > 0;
  if (!hasExtension) delete document[ENTERPRISE_USER_SCHEMA];
  Object.assign(document, { schemas: hasExtension ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA] });
  return document;
}
