/**
 * The ECMAScript 5.1 runtime embedded in every generated UDF: Dataflow runs UDFs on Nashorn, so this is plain
 * ES5 (no let/const, arrow functions, template literals, Number.isInteger, eval or new Function). It walks the
 * contract spec the generator embeds (see udf.ts), mirroring the ajv validator's rules and using its texts,
 * which the spec carries precomputed. The test suite parses it with acorn (ecmaVersion 5) and runs it on node
 * and on Rhino.
 */
export const UDF_RUNTIME = String.raw`var __tributary = (function () {
  'use strict';
  // Globals are read once: where the engine embeds the script (node:vm, a JVM host) each global lookup is slow.
  var _Date = Date, _Error = Error, _RegExp = RegExp, _String = String, _isFinite = isFinite;
  var hasOwn = Object.prototype.hasOwnProperty;
  var objectKeys = Object.keys;
  var isArray = Array.isArray;
  var floor = Math.floor, max = Math.max;
  var parseJson = JSON.parse, toJson = JSON.stringify;
  // Format patterns arrive with the contract spec (from contracts/formats.ts), so both sides share one source.
  var TIMESTAMP, DATE, BASE64, EMAIL, UUID, IPV4, URI;
  var HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
  var DECIMAL = /^(-)?(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
  var MIN_MS = -62135596800000;
  var MAX_MS = 253402300799999;

  function isObject(v) { return v !== null && typeof v === 'object' && !isArray(v); }
  function isInt(v) { return typeof v === 'number' && _isFinite(v) && floor(v) === v; }

  function jsonTypeOf(v) {
    if (v === null) return 'null';
    if (isArray(v)) return 'an array';
    if (typeof v === 'number' && !isInt(v)) return 'a fractional number';
    return typeof v === 'object' ? 'an object' : 'a ' + typeof v;
  }

  function pad(n, width) {
    var s = _String(n);
    while (s.length < width) s = '0' + s;
    return s;
  }

  function daysIn(y, m) {
    if (m === 2) return (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28;
    return (m === 4 || m === 6 || m === 9 || m === 11) ? 30 : 31;
  }

  function validDate(y, m, d) { return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m); }

  function utcMillis(y, mo, d, h, mi, s) {
    // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
    var t = new _Date(0);
    t.setUTCFullYear(y, mo - 1, d);
    t.setUTCHours(h, mi, s, 0);
    return t.getTime();
  }

  /** The UTC form of a valid RFC 3339 timestamp, keeping its fraction digits; null when invalid. */
  function normalizeTimestamp(s) {
    var m = TIMESTAMP.exec(s);
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3], h = +m[4], mi = +m[5], se = +m[6];
    if (!validDate(y, mo, d) || h > 23 || mi > 59 || se > 59) return null;
    var offset = 0;
    if (!m[8]) {
      if (+m[10] > 23 || +m[11] > 59) return null;
      offset = (m[9] === '+' ? 1 : -1) * (+m[10] * 60 + +m[11]);
    }
    var ms = utcMillis(y, mo, d, h, mi, se) - offset * 60000;
    var frac = m[7] || '';
    var check = ms + (frac ? +(frac + '000').substring(0, 3) : 0);
    if (check < MIN_MS || check > MAX_MS) return null;
    var u = new _Date(ms);
    return pad(u.getUTCFullYear(), 4) + '-' + pad(u.getUTCMonth() + 1, 2) + '-' + pad(u.getUTCDate(), 2) +
      'T' + pad(u.getUTCHours(), 2) + ':' + pad(u.getUTCMinutes(), 2) + ':' + pad(u.getUTCSeconds(), 2) +
      (frac ? '.' + frac : '') + 'Z';
  }

  function isDate(s) {
    var m = DATE.exec(s);
    return m !== null && validDate(+m[1], +m[2], +m[3]);
  }

  function isJsonText(s) {
    try {
      parseJson(s);
      return true;
    } catch (e) {
      return false;
    }
  }

  function isIpv6(s) {
    if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.length > 45) return false;
    var groups = s;
    var last = groups.lastIndexOf(':');
    var tail = groups.substring(last + 1);
    if (tail.indexOf('.') !== -1) {
      if (!IPV4.test(tail)) return false;
      groups = groups.substring(0, last + 1) + '0:0';
    }
    var halves = groups.split('::');
    if (halves.length > 2) return false;
    var head = halves[0] === '' ? [] : halves[0].split(':');
    var rest = halves.length === 2 ? (halves[1] === '' ? [] : halves[1].split(':')) : [];
    var all = head.concat(rest);
    for (var i = 0; i < all.length; i++) if (!HEX_GROUP.test(all[i])) return false;
    return halves.length === 2 ? all.length < 8 : all.length === 8;
  }

  function formatOk(format, s) {
    switch (format) {
      case 'email': return s.length <= 254 && EMAIL.test(s);
      case 'uuid': return UUID.test(s);
      case 'ipv4': return IPV4.test(s);
      case 'ipv6': return isIpv6(s);
      case 'ip': return IPV4.test(s) || isIpv6(s);
      case 'uri': return URI.test(s);
      case 'date': return isDate(s);
      case 'json': return isJsonText(s);
      case 'byte': return BASE64.test(s);
      default: throw new _Error('UDF runtime: unknown format ' + format);
    }
  }

  /** Length in code points, as the validator counts it. */
  function codePoints(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  function compareDecimal(a, b) {
    var x = DECIMAL.exec(a), y = DECIMAL.exec(b);
    var xf = (x[3] || '').replace(/0+$/, ''), yf = (y[3] || '').replace(/0+$/, '');
    var xneg = !!x[1] && !(x[2] === '0' && xf === ''), yneg = !!y[1] && !(y[2] === '0' && yf === '');
    if (xneg !== yneg) return xneg ? -1 : 1;
    var sign = xneg ? -1 : 1;
    if (x[2].length !== y[2].length) return sign * (x[2].length < y[2].length ? -1 : 1);
    if (x[2] !== y[2]) return sign * (x[2] < y[2] ? -1 : 1);
    var w = max(xf.length, yf.length);
    while (xf.length < w) xf += '0';
    while (yf.length < w) yf += '0';
    return xf === yf ? 0 : sign * (xf < yf ? -1 : 1);
  }

  function compileField(spec) {
    if (spec.re !== undefined) spec.regex = new _RegExp(spec.re);
    if (spec.f) {
      spec.names = {};
      for (var i = 0; i < spec.f.length; i++) {
        spec.names[spec.f[i].n] = true;
        compileField(spec.f[i]);
      }
    }
    if (spec.it) compileField(spec.it);
    return spec;
  }

  function compile(contract) {
    var p = contract.patterns;
    TIMESTAMP = new _RegExp(p.TIMESTAMP);
    DATE = new _RegExp(p.DATE);
    BASE64 = new _RegExp(p.BASE64);
    EMAIL = new _RegExp(p.EMAIL);
    UUID = new _RegExp(p.UUID);
    IPV4 = new _RegExp(p.IPV4);
    URI = new _RegExp(p.URI);
    return compileField(contract);
  }

  function fail(ctx, path, rule) { ctx.errors.push(path + ': ' + rule); }

  /** Checks one non-null value against its type spec; returns the normalized value (undefined after an error). */
  function value(spec, v, path, ctx) {
    var k = spec.k;
    var ok = true;
    if (k === 'record') {
      if (!isObject(v)) { fail(ctx, path, spec.t + ', got ' + jsonTypeOf(v)); return undefined; }
      return record(spec, v, path, ctx);
    }
    if (k === 'int64' || k === 'float64') {
      if (typeof v !== 'number' || !_isFinite(v) || (k === 'int64' && !isInt(v))) {
        fail(ctx, path, spec.t + ', got ' + jsonTypeOf(v));
        return undefined;
      }
      if (spec.min !== undefined && v < spec.min) { fail(ctx, path, spec.minMsg); ok = false; }
      if (spec.max !== undefined && v > spec.max) { fail(ctx, path, spec.maxMsg); ok = false; }
      return ok ? v : undefined;
    }
    if (k === 'bool') {
      if (typeof v !== 'boolean') { fail(ctx, path, spec.t + ', got ' + jsonTypeOf(v)); return undefined; }
      return v;
    }
    if (typeof v !== 'string') { fail(ctx, path, spec.t + ', got ' + jsonTypeOf(v)); return undefined; }
    if (k === 'timestamp') {
      var ts = normalizeTimestamp(v);
      if (ts === null) fail(ctx, path, spec.fmtMsg);
      return ts === null ? undefined : ts;
    }
    if (k === 'enum') {
      for (var e = 0; e < spec.vals.length; e++) if (spec.vals[e] === v) return v;
      fail(ctx, path, spec.enumMsg);
      return undefined;
    }
    if (spec.minL !== undefined || spec.maxL !== undefined) {
      var len = codePoints(v);
      if (spec.minL !== undefined && len < spec.minL) { fail(ctx, path, spec.minLMsg); ok = false; }
      if (spec.maxL !== undefined && len > spec.maxL) { fail(ctx, path, spec.maxLMsg); ok = false; }
    }
    if (spec.regex !== undefined && !spec.regex.test(v)) { fail(ctx, path, spec.reMsg); ok = false; }
    if (spec.fmt !== undefined && !formatOk(spec.fmt, v)) { fail(ctx, path, spec.fmtMsg); ok = false; }
    if (k === 'numeric' && ok && DECIMAL.test(v)) {
      if ((spec.dmin !== undefined && compareDecimal(v, spec.dmin) < 0) || (spec.dmax !== undefined && compareDecimal(v, spec.dmax) > 0)) {
        fail(ctx, path, spec.rangeMsg);
        ok = false;
      }
    }
    return ok ? v : undefined;
  }

  function field(spec, v, path, ctx) {
    if (spec.k !== 'repeated') return value(spec, v, path, ctx);
    if (!isArray(v)) { fail(ctx, path, spec.t + ', got ' + jsonTypeOf(v)); return undefined; }
    var ok = true;
    if (spec.minI !== undefined && v.length < spec.minI) { fail(ctx, path, spec.minIMsg); ok = false; }
    if (spec.maxI !== undefined && v.length > spec.maxI) { fail(ctx, path, spec.maxIMsg); ok = false; }
    var out = [];
    for (var i = 0; i < v.length; i++) {
      var at = path + '[' + i + ']';
      if (v[i] === null) { fail(ctx, at, spec.it.t + ', got null' + ctx.c.nullItem); ok = false; continue; }
      var item = value(spec.it, v[i], at, ctx);
      if (item === undefined) ok = false;
      else out.push(item);
    }
    return ok ? out : undefined;
  }

  function record(parent, obj, prefix, ctx) {
    var fields = parent.f;
    var out = {};
    var keys = objectKeys(obj);
    for (var i = 0; i < keys.length; i++) {
      if (hasOwn.call(parent.names, keys[i])) continue;
      var unknownPath = prefix ? prefix + '.' + keys[i] : keys[i];
      if (ctx.c.unknown === 'drop') ctx.dropped.push(unknownPath);
      else fail(ctx, unknownPath, ctx.c.unknownMsg);
    }
    for (var f = 0; f < fields.length; f++) {
      var spec = fields[f];
      var path = prefix ? prefix + '.' + spec.n : spec.n;
      var present = hasOwn.call(obj, spec.n);
      var v = present ? obj[spec.n] : undefined;
      if (!present) {
        if (!spec.o) fail(ctx, path, ctx.c.requiredMsg);
        continue;
      }
      if (v === null) {
        if (!spec.o) fail(ctx, path, spec.t + ', got null' + ctx.c.nullField);
        else if (spec.k !== 'repeated') out[spec.n] = null;
        continue;
      }
      var checked = field(spec, v, path, ctx);
      if (checked !== undefined) out[spec.n] = checked;
    }
    return out;
  }

  function run(contract, inJson) {
    if (typeof inJson !== 'string') throw new _Error('(event): the UDF receives the message payload as a string, got ' + jsonTypeOf(inJson));
    var event;
    try {
      event = parseJson(inJson);
    } catch (e) {
      throw new _Error('(event): is not valid JSON');
    }
    if (!isObject(event)) throw new _Error('(event): ' + contract.eventMsg + ', got ' + jsonTypeOf(event));
    // Some engines give a JSON "__proto__" key no own property; refuse it outright rather than risk missing it.
    if (inJson.indexOf('"__proto__"') !== -1 && !hasOwn.call(event, '__proto__')) {
      throw new _Error('__proto__: ' + contract.unknownMsg);
    }
    var ctx = { c: contract, errors: [], dropped: [] };
    var out = record(contract, event, '', ctx);
    if (ctx.errors.length > 0) throw new _Error(ctx.errors.join('; '));
    var id = [];
    for (var i = 0; i < contract.key.length; i++) id.push(_String(out[contract.key[i]]));
    out.schema_version = contract.version;
    out.ingest_time = new _Date().toISOString();
    out.event_id = id.join(contract.idSep);
    if (ctx.dropped.length > 0) out.dropped_fields = toJson(ctx.dropped);
    return toJson(out);
  }

  return { compile: compile, run: run };
})();`;
