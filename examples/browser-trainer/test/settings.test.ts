import { describe, expect, it } from 'vitest';
import { defaultSettings, parseSettings, SettingsError, settingsToRaw } from '../src/settings';

describe('parseSettings', () => {
  it('round-trips the defaults through the form values', () => {
    expect(parseSettings(settingsToRaw(defaultSettings))).toEqual(defaultSettings);
  });
  it('names the invalid field', () => {
    const raw = { ...settingsToRaw(defaultSettings), epochs: '0' };
    expect(() => parseSettings(raw)).toThrow(new SettingsError('epochs', 'must be >= 1, got 0'));
    expect(() => parseSettings({ ...raw, epochs: '2', batchSize: '2.5' })).toThrow('batchSize: expected an integer, got 2.5');
    expect(() => parseSettings({ ...raw, epochs: '2', l1: 'abc' })).toThrow('l1: expected a number, got "abc"');
    expect(() => parseSettings({ ...raw, epochs: '2', backend: 'tpu' })).toThrow('backend: expected one of auto, webgpu, webgl, wasm, cpu, got "tpu"');
  });
  it('needs a URL for a prepared cache', () => {
    const raw = { ...settingsToRaw(defaultSettings), data: 'cache', cacheUrl: ' ', trainName: 'train', valName: 'val' };
    expect(() => parseSettings(raw)).toThrow('cacheUrl: a prepared cache URL is required');
    expect(() => parseSettings({ ...raw, cacheUrl: '/c/', valName: '' })).toThrow('valName: the validation cache name is required');
    expect(parseSettings({ ...raw, cacheUrl: '/cache/' }).data).toEqual({ kind: 'cache', url: '/cache/', trainName: 'train', valName: 'val' });
  });
});
