/**
 * Text to bytes as Python's `str.encode(encoding, 'surrogateescape')` does it, for the template module's
 * `output_encoding` (Ansible writes the rendered text with `to_bytes(text, encoding, 'surrogate_or_strict')`),
 * and bytes to text as Python's UTF-8 decoder with `surrogateescape` (Ansible's read of a template file):
 * a byte that is not UTF-8 becomes U+DC80..U+DCFF and is written back as the same byte.
 *
 * Codec names are looked up as Python looks them up (case, punctuation and aliases: `UTF8`, `latin1`,
 * `iso-8859-1`, `windows-1252`). A codec Python has that is not implemented here is refused by name; a
 * name Python does not know fails with Python's `unknown encoding: NAME`.
 */
import { endianness } from 'node:os'

/** A codec name Python does not know: Python's LookupError. */
export class UnknownEncodingError extends Error {
  constructor(readonly encoding: string) {
    super(`unknown encoding: ${encoding}`)
  }
}

/** A codec Python has that is not implemented here. */
export class UnsupportedEncodingError extends Error {
  constructor(readonly encoding: string) {
    super(
      `output_encoding '${encoding}' is a Python codec that async-playbook does not support; ` +
        `supported: ${SUPPORTED_NAMES.join(', ')} (and their Python aliases)`
    )
  }
}

/** A character the codec cannot encode: Python's UnicodeEncodeError message. */
export class PythonEncodeError extends Error {}

/** How a codec meets characters it cannot encode (CPython's encoders differ). */
type ErrorStyle = 'ucs1' | 'charmap' | 'wide'

interface Codec {
  /** The name Python's messages give the codec. */
  messageName: string
  reason: string
  style: ErrorStyle
  bom: number[]
  canEncode(cp: number): boolean
  put(out: number[], cp: number): void
}

const isSurrogate = (cp: number): boolean => cp >= 0xd800 && cp <= 0xdfff
const isEscapedByte = (cp: number): boolean => cp >= 0xdc80 && cp <= 0xdcff

function putUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp)
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f))
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f))
  else
    out.push(
      0xf0 | (cp >> 18),
      0x80 | ((cp >> 12) & 0x3f),
      0x80 | ((cp >> 6) & 0x3f),
      0x80 | (cp & 0x3f)
    )
}

function unitPutter(bytes: 2 | 4, little: boolean): (out: number[], cp: number) => void {
  const unit = (out: number[], value: number): void => {
    const b =
      bytes === 2 ? [value & 0xff, value >> 8] : [0, 8, 16, 24].map((s) => (value >>> s) & 0xff)
    out.push(...(little ? b : b.reverse()))
  }
  return (out, cp) => {
    if (bytes === 4 || cp < 0x10000) unit(out, cp)
    else {
      unit(out, 0xd800 + ((cp - 0x10000) >> 10))
      unit(out, 0xdc00 + ((cp - 0x10000) & 0x3ff))
    }
  }
}

function wide(messageName: string, bytes: 2 | 4, order: 'le' | 'be' | 'bom'): Codec {
  const little = order === 'le' || (order === 'bom' && endianness() === 'LE')
  const put = unitPutter(bytes, little)
  const bom: number[] = []
  if (order === 'bom') put(bom, 0xfeff)
  return {
    messageName,
    reason: 'surrogates not allowed',
    style: 'wide',
    bom,
    canEncode: (cp) => !isSurrogate(cp),
    put
  }
}

function limited(messageName: string, limit: number): Codec {
  return {
    messageName,
    reason: `ordinal not in range(${limit})`,
    style: 'ucs1',
    bom: [],
    canEncode: (cp) => cp < limit,
    put: (out, cp) => out.push(cp)
  }
}

/** A single-byte code page: Latin-1 with the bytes `changes` gives other characters (null: none). */
function charmap(changes: Record<number, number | null>): Codec {
  const toByte = new Map<number, number>()
  for (let byte = 0; byte < 256; byte++) {
    const cp = Object.hasOwn(changes, byte) ? changes[byte] : byte
    if (cp !== null && cp !== undefined) toByte.set(cp, byte)
  }
  return {
    messageName: 'charmap',
    reason: 'character maps to <undefined>',
    style: 'charmap',
    bom: [],
    canEncode: (cp) => toByte.has(cp),
    put: (out, cp) => out.push(toByte.get(cp)!)
  }
}

const CP1252_HIGH = [
  0x20ac,
  null,
  0x201a,
  0x0192,
  0x201e,
  0x2026,
  0x2020,
  0x2021,
  0x02c6,
  0x2030,
  0x0160,
  0x2039,
  0x0152,
  null,
  0x017d,
  null,
  null,
  0x2018,
  0x2019,
  0x201c,
  0x201d,
  0x2022,
  0x2013,
  0x2014,
  0x02dc,
  0x2122,
  0x0161,
  0x203a,
  0x0153,
  null,
  0x017e,
  0x0178
]

const utf8: Codec = {
  messageName: 'utf-8',
  reason: 'surrogates not allowed',
  style: 'ucs1',
  bom: [],
  canEncode: (cp) => !isSurrogate(cp),
  put: putUtf8
}

/** The codecs implemented here, by Python module name, with the aliases Python gives each. */
const CODECS: Record<string, { codec: Codec; aliases: string[] }> = {
  utf_8: { codec: utf8, aliases: ['cp65001', 'u8', 'utf', 'utf8', 'utf8_ucs2', 'utf8_ucs4'] },
  utf_8_sig: { codec: { ...utf8, bom: [0xef, 0xbb, 0xbf] }, aliases: [] },
  ascii: {
    codec: limited('ascii', 128),
    aliases: [
      '646',
      'ansi_x3.4_1968',
      'ansi_x3.4_1986',
      'ansi_x3_4_1968',
      'cp367',
      'csascii',
      'ibm367',
      'iso646_us',
      'iso_646.irv_1991',
      'iso_ir_6',
      'us',
      'us_ascii'
    ]
  },
  latin_1: {
    codec: limited('latin-1', 256),
    aliases: [
      '8859',
      'cp819',
      'csisolatin1',
      'ibm819',
      'iso8859',
      'iso8859_1',
      'iso_8859_1',
      'iso_8859_1_1987',
      'iso_ir_100',
      'l1',
      'latin',
      'latin1'
    ]
  },
  iso8859_15: {
    codec: charmap({
      0xa4: 0x20ac,
      0xa6: 0x0160,
      0xa8: 0x0161,
      0xb4: 0x017d,
      0xb8: 0x017e,
      0xbc: 0x0152,
      0xbd: 0x0153,
      0xbe: 0x0178
    }),
    aliases: ['iso_8859_15', 'l9', 'latin9']
  },
  cp1252: {
    codec: charmap(Object.fromEntries(CP1252_HIGH.map((cp, i) => [0x80 + i, cp]))),
    aliases: ['1252', 'windows_1252']
  },
  utf_16: { codec: wide('utf-16', 2, 'bom'), aliases: ['u16', 'utf16'] },
  utf_16_le: { codec: wide('utf-16-le', 2, 'le'), aliases: ['unicodelittleunmarked', 'utf_16le'] },
  utf_16_be: { codec: wide('utf-16-be', 2, 'be'), aliases: ['unicodebigunmarked', 'utf_16be'] },
  utf_32: { codec: wide('utf-32', 4, 'bom'), aliases: ['u32', 'utf32'] },
  utf_32_le: { codec: wide('utf-32-le', 4, 'le'), aliases: ['utf_32le'] },
  utf_32_be: { codec: wide('utf-32-be', 4, 'be'), aliases: ['utf_32be'] }
}

const SUPPORTED_NAMES = [
  'utf-8',
  'utf-8-sig',
  'ascii',
  'latin-1',
  'iso8859-15',
  'cp1252',
  'utf-16',
  'utf-16-le',
  'utf-16-be',
  'utf-32',
  'utf-32-le',
  'utf-32-be'
]

const ALIASES = new Map<string, string>()
for (const [module, { aliases }] of Object.entries(CODECS))
  for (const alias of aliases) ALIASES.set(alias, module)

const PYTHON_CODEC_NAMES = new Set(
  [
    '037 1026 1125 1140 1250 1251 1252 1253 1254 1255 1256 1257 1258 273 424 437 500 646 775 850 852 855',
    '857 858 860 861 862 863 864 865 866 869 8859 932 936 949 950 ansi ansi_x3.4_1968 ansi_x3.4_1986',
    'ansi_x3_4_1968 arabic ascii asmo_708 base64 base64_codec base_64 big5 big5_hkscs big5_tw big5hkscs',
    'bz2 bz2_codec charmap chinese cp037 cp1006 cp1026 cp1051 cp1125 cp1140 cp1250 cp1251 cp1252 cp1253',
    'cp1254 cp1255 cp1256 cp1257 cp1258 cp1361 cp154 cp273 cp367 cp424 cp437 cp500 cp65001 cp720 cp737',
    'cp775 cp819 cp850 cp852 cp855 cp856 cp857 cp858 cp860 cp861 cp862 cp863 cp864 cp865 cp866 cp866u',
    'cp869 cp874 cp875 cp932 cp936 cp949 cp950 cp_gr cp_is csHPRoman8 csascii csbig5 csibm037 csibm1026',
    'csibm273 csibm424 csibm500 csibm855 csibm857 csibm858 csibm860 csibm861 csibm863 csibm864 csibm865',
    'csibm866 csibm869 csiso2022jp csiso2022kr csiso58gb231280 csisolatin1 csisolatin2 csisolatin3',
    'csisolatin4 csisolatin5 csisolatin6 csisolatinarabic csisolatincyrillic csisolatingreek',
    'csisolatinhebrew cskoi8r cspc775baltic cspc850multilingual cspc862latinhebrew cspc8codepage437',
    'cspcp852 csptcp154 csshiftjis cyrillic cyrillic_asian dbcs ebcdic_cp_be ebcdic_cp_ca ebcdic_cp_ch',
    'ebcdic_cp_he ebcdic_cp_nl ebcdic_cp_us ebcdic_cp_wt ecma_114 ecma_118 elot_928 euc_cn euc_jis2004',
    'euc_jis_2004 euc_jisx0213 euc_jp euc_kr euccn eucgb2312_cn eucjis2004 eucjisx0213 eucjp euckr',
    'gb18030 gb18030_2000 gb2312 gb2312_1980 gb2312_80 gbk greek greek8 hebrew hex hex_codec hkscs',
    'hp_roman8 hz hz_gb hz_gb_2312 hzgb ibm037 ibm039 ibm1026 ibm1051 ibm1125 ibm1140 ibm273 ibm367',
    'ibm424 ibm437 ibm500 ibm775 ibm819 ibm850 ibm852 ibm855 ibm857 ibm858 ibm860 ibm861 ibm862 ibm863',
    'ibm864 ibm865 ibm866 ibm869 idna iso2022_jp iso2022_jp_1 iso2022_jp_2 iso2022_jp_2004 iso2022_jp_3',
    'iso2022_jp_ext iso2022_kr iso2022jp iso2022jp_1 iso2022jp_2 iso2022jp_2004 iso2022jp_3 iso2022jp_ext',
    'iso2022kr iso646_us iso8859 iso8859_1 iso8859_10 iso8859_11 iso8859_13 iso8859_14 iso8859_15',
    'iso8859_16 iso8859_2 iso8859_3 iso8859_4 iso8859_5 iso8859_6 iso8859_7 iso8859_8 iso8859_9',
    'iso_2022_jp iso_2022_jp_1 iso_2022_jp_2 iso_2022_jp_2004 iso_2022_jp_3 iso_2022_jp_ext iso_2022_kr',
    'iso_646.irv_1991 iso_8859_1 iso_8859_10 iso_8859_10_1992 iso_8859_11 iso_8859_11_2001 iso_8859_13',
    'iso_8859_14 iso_8859_14_1998 iso_8859_15 iso_8859_16 iso_8859_16_2001 iso_8859_1_1987 iso_8859_2',
    'iso_8859_2_1987 iso_8859_3 iso_8859_3_1988 iso_8859_4 iso_8859_4_1988 iso_8859_5 iso_8859_5_1988',
    'iso_8859_6 iso_8859_6_1987 iso_8859_7 iso_8859_7_1987 iso_8859_8 iso_8859_8_1988 iso_8859_9',
    'iso_8859_9_1989 iso_celtic iso_ir_100 iso_ir_101 iso_ir_109 iso_ir_110 iso_ir_126 iso_ir_127',
    'iso_ir_138 iso_ir_144 iso_ir_148 iso_ir_157 iso_ir_166 iso_ir_199 iso_ir_226 iso_ir_58 iso_ir_6',
    'jisx0213 johab koi8_r koi8_t koi8_u korean ks_c_5601 ks_c_5601_1987 ks_x_1001 ksc5601 ksx1001 kz1048',
    'kz_1048 l1 l10 l2 l3 l4 l5 l6 l7 l8 l9 latin latin1 latin10 latin2 latin3 latin4 latin5 latin6',
    'latin7 latin8 latin9 latin_1 mac_arabic mac_centeuro mac_croatian mac_cyrillic mac_farsi mac_greek',
    'mac_iceland mac_latin2 mac_roman mac_romanian mac_turkish maccentraleurope maccyrillic macgreek',
    'maciceland macintosh maclatin2 macroman macturkish mbcs ms1361 ms932 ms936 ms949 ms950 ms_kanji',
    'mskanji oem palmos pt154 ptcp154 punycode quopri quopri_codec quoted_printable quotedprintable r8',
    'raw_unicode_escape rk1048 roman8 rot13 rot_13 ruscii s_jis s_jis_2004 s_jisx0213 shift_jis',
    'shift_jis_2004 shift_jisx0213 shiftjis shiftjis2004 shiftjisx0213 sjis sjis_2004 sjisx0213',
    'strk1048_2002 thai tis620 tis_620 tis_620_0 tis_620_2529_0 tis_620_2529_1 u16 u32 u7 u8 u_jis uhc',
    'ujis undefined unicode_1_1_utf_7 unicode_escape unicodebigunmarked unicodelittleunmarked us us_ascii',
    'utf utf16 utf32 utf7 utf8 utf8_ucs2 utf8_ucs4 utf_16 utf_16_be utf_16_le utf_16be utf_16le utf_32',
    'utf_32_be utf_32_le utf_32be utf_32le utf_7 utf_8 utf_8_sig uu uu_codec windows_1250 windows_1251',
    'windows_1252 windows_1253 windows_1254 windows_1255 windows_1256 windows_1257 windows_1258',
    'x_mac_japanese x_mac_korean x_mac_simp_chinese x_mac_trad_chinese zip zlib zlib_codec'
  ]
    .join(' ')
    .split(' ')
)

/** Python's encodings.normalize_encoding after codecs.lookup's lower-casing. */
function normaliseName(name: string): string {
  let out = ''
  let punct = false
  for (const ch of name.toLowerCase()) {
    if (/^[\p{L}\p{N}.]$/u.test(ch)) {
      if (punct && out) out += '_'
      if (ch.charCodeAt(0) < 0x80) out += ch
      punct = false
    } else punct = true
  }
  return out
}

function lookup(encoding: string): Codec {
  const norm = normaliseName(encoding)
  const module = ALIASES.get(norm) ?? ALIASES.get(norm.replace(/\./g, '_')) ?? norm
  const known = Object.hasOwn(CODECS, module) ? CODECS[module] : undefined
  if (known) return known.codec
  if (PYTHON_CODEC_NAMES.has(module)) throw new UnsupportedEncodingError(encoding)
  throw new UnknownEncodingError(encoding)
}

/**
 * Checks that Python knows `encoding` and that it is implemented here.
 * @throws UnknownEncodingError for a name Python does not know, UnsupportedEncodingError for a Python
 *   codec not implemented here
 */
export function checkEncoding(encoding: string): void {
  lookup(encoding)
}

function escapedChar(cp: number): string {
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`
  return `\\U${cp.toString(16).padStart(8, '0')}`
}

function encodeError(codec: Codec, cps: number[], start: number, end: number): PythonEncodeError {
  const what =
    end - start === 1
      ? `character '${escapedChar(cps[start]!)}' in position ${start}`
      : `characters in position ${start}-${end - 1}`
  return new PythonEncodeError(`'${codec.messageName}' codec can't encode ${what}: ${codec.reason}`)
}

/**
 * `text.encode(encoding, 'surrogateescape')` as Python does it: U+DC80..U+DCFF become the bytes they
 * stand for where the codec allows it.
 * @throws UnknownEncodingError, UnsupportedEncodingError (see checkEncoding), PythonEncodeError with
 *   Python's message for a character the codec cannot encode
 */
export function encodePython(text: string, encoding: string): Buffer {
  const codec = lookup(encoding)
  const cps = Array.from(text, (ch) => ch.codePointAt(0)!)
  const out = [...codec.bom]
  let i = 0
  while (i < cps.length) {
    const cp = cps[i]!
    if (codec.canEncode(cp)) {
      codec.put(out, cp)
      i++
      continue
    }
    let end = i
    while (end < cps.length && !codec.canEncode(cps[end]!)) end++
    if (codec.style === 'wide') throw encodeError(codec, cps, i, i + 1)
    if (codec.style === 'charmap' && !cps.slice(i, end).every(isEscapedByte))
      throw encodeError(codec, cps, i, end)
    let j = i
    for (; j < end && isEscapedByte(cps[j]!); j++) out.push(cps[j]! - 0xdc00)
    if (j < end) throw encodeError(codec, cps, j, end)
    i = end
  }
  return Buffer.from(out)
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The length of the valid UTF-8 sequence at `i`, or 0 (Python's decoder's rules). */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean =>
    i + k < bytes.length && bytes[i + k]! >= lo && bytes[i + k]! <= hi
  if (b0 < 0x80) return 1
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const [lo, hi] = b0 === 0xe0 ? [0xa0, 0xbf] : b0 === 0xed ? [0x80, 0x9f] : [0x80, 0xbf]
    return cont(1, lo, hi) && cont(2) ? 3 : 0
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const [lo, hi] = b0 === 0xf0 ? [0x90, 0xbf] : b0 === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf]
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0
  }
  return 0
}

/** `bytes.decode('utf-8', 'surrogateescape')`: each byte that is not UTF-8 becomes U+DC80..U+DCFF. */
export function decodeUtf8SurrogateEscape(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    // Not UTF-8 throughout: decode sequence by sequence.
  }
  let out = ''
  let i = 0
  while (i < bytes.length) {
    const n = sequenceLength(bytes, i)
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + bytes[i]!)
      i++
    } else {
      out += Buffer.from(bytes.subarray(i, i + n)).toString('utf8')
      i += n
    }
  }
  return out
}
