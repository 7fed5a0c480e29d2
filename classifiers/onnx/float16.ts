/**
 * IEEE 754 half-precision conversion (round to nearest, ties to even). Node 20 has no Float16Array;
 * the embedding table is stored in half precision to halve the model folder.
 */
const floatView = new Float32Array(1);
const bitsView = new Uint32Array(floatView.buffer);

export function toFloat16Bits(value: number): number {
  floatView[0] = value;
  const bits = bitsView[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  // Subnormal halves (|value| < 2^-14) are multiples of 2^-24; their rounding mode does not matter here.
  if (halfExponent <= 0) return sign | Math.round(Math.abs(value) * 2 ** 24);
  const half = sign | (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // Round to nearest even; a carry into the exponent is the correct result.
  return remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1) ? half + 1 : half;
}

export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export function toFloat16Array(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i] as number);
  return out;
}

/** Rounds every value to the nearest half-precision value, in place. */
export function roundToFloat16(values: Float32Array): Float32Array {
  for (let i = 0; i < values.length; i++) values[i] = fromFloat16Bits(toFloat16Bits(values[i] as number));
  return values;
}
