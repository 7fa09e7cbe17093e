// The benchmark's people: a pure function of their position, so the seed, the runner's load
// generators and the checks agree on who exists without sharing state. Member 1 is the
// organization's first Admin (made by `initOrganization`); members 2..N are seeded.
import type { ScimUserDocument } from '../../src/scim/resource/scim-user.ts';

const GIVEN = [
  'Ada',
  'Alan',
  'Amara',
  'Ana',
  'Arjun',
  'Beatriz',
  'Bjorn',
  'Carla',
  'Chen',
  'Chloe',
  'Daniel',
  'Dara',
  'Elena',
  'Emeka',
  'Erik',
  'Fatima',
  'Felix',
  'Grace',
  'Hana',
  'Hugo',
  'Ines',
  'Ivan',
  'Jane',
  'Jonas',
  'Kai',
  'Kenji',
  'Lara',
  'Leon',
  'Lucia',
  'Mara',
  'Mateo',
  'Mei',
  'Nadia',
  'Noah',
  'Nora',
  'Olga',
  'Omar',
  'Paula',
  'Pedro',
  'Priya',
  'Quinn',
  'Rafael',
  'Rosa',
  'Sara',
  'Sven',
  'Tariq',
  'Tessa',
  'Theo',
  'Uma',
  'Victor',
  'Wanda',
  'Wei',
  'Ximena',
  'Yara',
  'Yusuf',
  'Zoe',
  'Aiko',
  'Bruno',
  'Clara',
  'Diego',
  'Eva',
  'Farid',
  'Gita',
  'Hiro',
];
const FAMILY = [
  'Abara',
  'Berg',
  'Costa',
  'Doe',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hansen',
  'Ito',
  'Jensen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Quispe',
  'Rossi',
  'Silva',
  'Tanaka',
  'Usman',
  'Varga',
  'Weber',
  'Xu',
  'Yilmaz',
  'Zhang',
  'Andersson',
  'Brown',
  'Chowdhury',
  'Dubois',
  'Evans',
  'Ferreira',
  'Gomez',
  'Horvat',
  'Ivanova',
  'Johnson',
  'Kim',
  'Lopez',
  'Martin',
  'Novak',
  'Olsen',
  'Popescu',
  'Qureshi',
  'Ramos',
  'Smith',
  'Torres',
  'Ueda',
  'Vasquez',
  'Wang',
  'Young',
  'Zimmermann',
  'Ali',
  'Bianchi',
  'Cohen',
  'Dias',
  'Engel',
  'Fontaine',
  'Gupta',
  'Hoffmann',
  'Iqbal',
  'Jovanovic',
  'Khan',
  'Lindqvist',
  'Meyer',
];

export const BENCH_DOMAIN = 'bench.example.com';

export function givenNameOf(seq: number): string {
  return GIVEN[seq % GIVEN.length]!;
}

export function familyNameOf(seq: number): string {
  return FAMILY[Math.floor(seq / GIVEN.length) % FAMILY.length]!;
}

/** The userName (and work email) of member `seq`, e.g. `jane.smith.4242@bench.example.com`. */
export function userNameOf(seq: number): string {
  return `${givenNameOf(seq).toLowerCase()}.${familyNameOf(seq).toLowerCase()}.${seq}@${BENCH_DOMAIN}`;
}

/** Okta-shaped externalIds: `00u` and a fixed-width base-36 body. */
export function externalIdOf(seq: number): string {
  return `00u${seq.toString(36).padStart(17, '0')}`;
}

/** The document Okta would have pushed for member `seq` (as `POST /Users` receives it, minus password). */
export function personDocument(seq: number): ScimUserDocument {
  const givenName = givenNameOf(seq);
  const familyName = familyNameOf(seq);
  const userName = userNameOf(seq);
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName, familyName },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: `${givenName} ${familyName}`,
    locale: 'en-US',
    externalId: externalIdOf(seq),
    active: true,
  };
}

/** The JSON body Okta sends to create a person who is not in the organization (a fresh name). */
export function oktaCreateBody(userName: string, n: number): string {
  const givenName = givenNameOf(n);
  const familyName = familyNameOf(n);
  return JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName, familyName },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: `${givenName} ${familyName}`,
    locale: 'en-US',
    externalId: `00p${n.toString(36).padStart(17, '0')}${Math.random().toString(36).slice(2, 6)}`,
    groups: [],
    password: 'tP9z!x2a-placeholder',
    active: true,
  });
}

export { FAMILY as FAMILY_NAMES, GIVEN as GIVEN_NAMES };
