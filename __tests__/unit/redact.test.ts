import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { printable, redactUrl, redactUrlCredentials, redactUrlsIn, trimTrailingSlashes, urlSecrets, urlUserinfo } from '../../src/shared/redact.js';
import { secretFragments } from '../../src/shared/secrets.js';

describe('URL userinfo', () => {
  test('runs to the last @ before the host ends, so a raw @ in the password stays inside it', () => {
    assert.equal(urlUserinfo('https://bot:pa@ss@host/x.git'), 'bot:pa@ss');
    assert.equal(urlUserinfo('https://bot:pa@ss@127.0.0.1:1/x.git?q=a@b#c@d'), 'bot:pa@ss');
    assert.equal(urlUserinfo('https://a@b@c@host'), 'a@b@c');
    assert.equal(urlUserinfo('http://token@host:8080'), 'token');
    assert.equal(urlUserinfo('ssh://git@host:22/x'), 'git');
    assert.equal(urlUserinfo('git@github.com:org/repo.git'), 'git');
  });

  test('is absent when the @ is past the host', () => {
    assert.equal(urlUserinfo('https://host/path/@scope/x'), undefined);
    assert.equal(urlUserinfo('https://host?mail=a@b'), undefined);
    assert.equal(urlUserinfo('https://host#a@b'), undefined);
    assert.equal(urlUserinfo('alibaba/kt-connect'), undefined);
    assert.equal(urlUserinfo(''), undefined);
  });

  test('redactUrl hides all of it', () => {
    assert.equal(redactUrl('https://bot:pa@ss@127.0.0.1:1/x.git'), 'https://***@127.0.0.1:1/x.git');
    assert.equal(redactUrl('HTTP://bot:pa@ss@host'), 'HTTP://***@host');
    // an '@' past the host may end a password that held a raw '/': a message hides up to it too
    assert.equal(redactUrl('https://host/a@b'), 'https://***@b');
    assert.equal(redactUrl('https://host/x.git'), 'https://host/x.git');
    assert.equal(redactUrl('git@github.com:org/repo.git'), '***@github.com:org/repo.git');
    assert.equal(redactUrl('alibaba/kt-connect'), 'alibaba/kt-connect');
  });

  test('redactUrl hides up to the last @ even where a parser ends the host earlier', () => {
    // a raw '/' ends the host for a parser, but it is still part of what the user meant as a password
    assert.equal(redactUrl('https://bot:pa/ss@host/x'), 'https://***@host/x');
    assert.equal(redactUrl('https://bot:p w@host'), 'https://***@host');
    assert.equal(redactUrl('ftp://bot:Tok3n-with@raw-at-sign/x@127.0.0.1:1/w.zip'), 'ftp://***@127.0.0.1:1/w.zip');
  });

  test('urlSecrets: userinfo, user, password, its pieces and its percent-encoded form, longest first', () => {
    assert.deepEqual(urlSecrets('https://robot:pa@ss-word-1@127.0.0.1/x'), ['robot:pa@ss-word-1', 'pa%40ss-word-1', 'pa@ss-word-1', 'ss-word-1', 'robot']);
    assert.deepEqual(urlSecrets('https://bot:pa@ss@host/x'), ['bot:pa@ss', 'pa%40ss', 'pa@ss']);
    assert.deepEqual(urlSecrets('https://host/x'), []);
    // short parts are redacted from messages, but not masked: they would blank common words
    assert.deepEqual(urlSecrets('https://a:b@host/'), []);
  });

  test('a program output quoting the URL the way git does is cleared of every part', () => {
    const url = 'https://bot:pa@ss@127.0.0.1:1/x.git';
    const git = [
      "fatal: unable to access 'https://ss@127.0.0.1:1/x.git/': URL using bad/illegal format or missing URL",
      'fatal: unable to look up bot:pa@ss@127.0.0.1:1 (port 9418) (Name or service not known)',
      'Cloning from bot:pa@ss@127.0.0.1:1 (ss@127.0.0.1:1)',
    ].join('\n');
    const cleared = redactUrlCredentials(git, url);
    for (const part of ['pa@ss', 'ss@127', 'bot:pa', '//ss']) assert.ok(!cleared.includes(part), `${part} in ${cleared}`);
    assert.match(cleared, /unable to access 'https:\/\/\*\*\*@127\.0\.0\.1:1\/x\.git\/'/);
    assert.match(cleared, /look up \*\*\*@127\.0\.0\.1:1 /);
  });

  test('redactUrlsIn clears the userinfo of every URL in free text', () => {
    assert.equal(redactUrlsIn("a 'https://u:p@q@h/x' b http://t@h2 c git://h3/x@y"), "a 'https://***@h/x' b http://***@h2 c git://h3/x@y");
    assert.equal(redactUrlsIn('no urls: a@b, ://, x://'), 'no urls: a@b, ://, x://');
  });
});

describe('text helpers', () => {
  test('trimTrailingSlashes', () => {
    assert.equal(trimTrailingSlashes('https://h/x///'), 'https://h/x');
    assert.equal(trimTrailingSlashes('///'), '');
    assert.equal(trimTrailingSlashes('a'), 'a');
  });

  test('printable flattens a line break and shortens', () => {
    assert.equal(printable('a\n::error::b'), 'a\\n::error::b');
    assert.equal(printable('x'.repeat(50)), `${'x'.repeat(40)}…`);
  });
});

describe('secretFragments', () => {
  test('every line and value that carries text, without quotes or a trailing comment', () => {
    const text = [
      'users:',
      '- name: dev-user-long',
      '  user:',
      '    token: "sEcReT-aaaa1111bbbb"',
      "    password: 'hunter22hunter22' # why",
      '    args:',
      '    - sEcReT-list-item-1234',
      '# comment: with a colon',
      '  - context:',
      '',
    ].join('\r\n');
    const fragments = secretFragments(text);
    for (const expected of [
      'token: "sEcReT-aaaa1111bbbb"',
      'sEcReT-aaaa1111bbbb',
      'hunter22hunter22',
      "hunter22hunter22' # why",
      '- sEcReT-list-item-1234',
      'sEcReT-list-item-1234',
      'dev-user-long',
      '# comment: with a colon',
      Buffer.from(text).toString('base64'),
    ]) {
      assert.ok(fragments.includes(expected), `missing ${expected}`);
    }
    // bare keys carry nothing, and short words are left alone
    for (const absent of ['users:', 'user:', '- context:', 'args:']) assert.ok(!fragments.includes(absent), absent);
    assert.ok(fragments.every((fragment) => fragment.length >= 8 && fragment === fragment.trim()));
  });
});
