/**
 * CloudWatch Metrics Insights queries, built and checked offline: one identifier-quoting function
 * for every query Vigil writes, and a checker of AWS's documented grammar, reserved keywords and
 * limits, used at synth by the constructs (a bad query fails `cdk synth`) and by the tests.
 *
 * ```
 * SELECT FUNCTION(metricName)
 * FROM namespace | SCHEMA(namespace [, labelKey ...])
 * [ WHERE labelKey OPERATOR 'labelValue' [AND|OR ...] ]
 * [ GROUP BY labelKey [, ...] ]
 * [ ORDER BY FUNCTION() [ ASC | DESC ] ]
 * [ LIMIT number ]
 * ```
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-reserved-keywords.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
 */

/**
 * Metrics Insights' reserved keywords (not case sensitive): a namespace, metric name or label key
 * that is one of them must be double-quoted.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-reserved-keywords.html
 */
const METRICS_INSIGHTS_RESERVED_KEYWORDS: ReadonlySet<string> = new Set(
  `
ABORT ABORTSESSION ABS ABSOLUTE ACCESS ACCESSIBLE ACCESS_LOCK ACCOUNT ACOS ACOSH ACTION ADD
ADD_MONTHS ADMIN AFTER AGGREGATE ALIAS ALL ALLOCATE ALLOW ALTER ALTERAND AMP ANALYSE ANALYZE AND
ANSIDATE ANY ARE ARRAY ARRAY_AGG ARRAY_EXISTS ARRAY_MAX_CARDINALITY AS ASC ASENSITIVE ASIN ASINH
ASSERTION ASSOCIATE ASUTIME ASYMMETRIC AT ATAN ATAN2 ATANH ATOMIC AUDIT AUTHORIZATION AUX
AUXILIARY AVE AVERAGE AVG BACKUP BEFORE BEGIN BEGIN_FRAME BEGIN_PARTITION BETWEEN BIGINT BINARY
BIT BLOB BOOLEAN BOTH BREADTH BREAK BROWSE BT BUFFERPOOL BULK BUT BY BYTE BYTEINT BYTES CALL
CALLED CAPTURE CARDINALITY CASCADE CASCADED CASE CASESPECIFIC CASE_N CAST CATALOG CCSID CD CEIL
CEILING CHANGE CHAR CHAR2HEXINT CHARACTER CHARACTERS CHARACTER_LENGTH CHARS CHAR_LENGTH CHECK
CHECKPOINT CLASS CLASSIFIER CLOB CLONE CLOSE CLUSTER CLUSTERED CM COALESCE COLLATE COLLATION
COLLECT COLLECTION COLLID COLUMN COLUMN_VALUE COMMENT COMMIT COMPLETION COMPRESS COMPUTE CONCAT
CONCURRENTLY CONDITION CONNECT CONNECTION CONSTRAINT CONSTRAINTS CONSTRUCTOR CONTAINS
CONTAINSTABLE CONTENT CONTINUE CONVERT CONVERT_TABLE_HEADER COPY CORR CORRESPONDING COS COSH
COUNT COVAR_POP COVAR_SAMP CREATE CROSS CS CSUM CT CUBE CUME_DIST CURRENT CURRENT_CATALOG
CURRENT_DATE CURRENT_DEFAULT_TRANSFORM_GROUP CURRENT_LC_CTYPE CURRENT_PATH CURRENT_ROLE
CURRENT_ROW CURRENT_SCHEMA CURRENT_SERVER CURRENT_TIME CURRENT_TIMESTAMP CURRENT_TIMEZONE
CURRENT_TRANSFORM_GROUP_FOR_TYPE CURRENT_USER CURRVAL CURSOR CV CYCLE DATA DATABASE DATABASES
DATABLOCKSIZE DATE DATEFORM DAY DAYS DAY_HOUR DAY_MICROSECOND DAY_MINUTE DAY_SECOND DBCC DBINFO
DEALLOCATE DEC DECFLOAT DECIMAL DECLARE DEFAULT DEFERRABLE DEFERRED DEFINE DEGREES DEL DELAYED
DELETE DENSE_RANK DENY DEPTH DEREF DESC DESCRIBE DESCRIPTOR DESTROY DESTRUCTOR DETERMINISTIC
DIAGNOSTIC DIAGNOSTICS DICTIONARY DISABLE DISABLED DISALLOW DISCONNECT DISK DISTINCT DISTINCTROW
DISTRIBUTED DIV DO DOCUMENT DOMAIN DOUBLE DROP DSSIZE DUAL DUMP DYNAMIC EACH ECHO EDITPROC
ELEMENT ELSE ELSEIF EMPTY ENABLED ENCLOSED ENCODING ENCRYPTION END END-EXEC ENDING END_FRAME
END_PARTITION EQ EQUALS ERASE ERRLVL ERROR ERRORFILES ERRORTABLES ESCAPE ESCAPED ET EVERY EXCEPT
EXCEPTION EXCLUSIVE EXEC EXECUTE EXISTS EXIT EXP EXPLAIN EXTERNAL EXTRACT FALLBACK FALSE
FASTEXPORT FENCED FETCH FIELDPROC FILE FILLFACTOR FILTER FINAL FIRST FIRST_VALUE FLOAT FLOAT4
FLOAT8 FLOOR FOR FORCE FOREIGN FORMAT FOUND FRAME_ROW FREE FREESPACE FREETEXT FREETEXTTABLE
FREEZE FROM FULL FULLTEXT FUNCTION FUSION GE GENERAL GENERATED GET GIVE GLOBAL GO GOTO GRANT
GRAPHIC GROUP GROUPING GROUPS GT HANDLER HASH HASHAMP HASHBAKAMP HASHBUCKET HASHROW HAVING HELP
HIGH_PRIORITY HOLD HOLDLOCK HOUR HOURS HOUR_MICROSECOND HOUR_MINUTE HOUR_SECOND IDENTIFIED
IDENTITY IDENTITYCOL IDENTITY_INSERT IF IGNORE ILIKE IMMEDIATE IN INCLUSIVE INCONSISTENT
INCREMENT INDEX INDICATOR INFILE INHERIT INITIAL INITIALIZE INITIALLY INITIATE INNER INOUT INPUT
INS INSENSITIVE INSERT INSTEAD INT INT1 INT2 INT3 INT4 INT8 INTEGER INTEGERDATE INTERSECT
INTERSECTION INTERVAL INTO IO_AFTER_GTIDS IO_BEFORE_GTIDS IS ISNULL ISOBID ISOLATION ITERATE JAR
JOIN JOURNAL JSON_ARRAY JSON_ARRAYAGG JSON_EXISTS JSON_OBJECT JSON_OBJECTAGG JSON_QUERY
JSON_TABLE JSON_TABLE_PRIMITIVE JSON_VALUE KEEP KEY KEYS KILL KURTOSIS LABEL LAG LANGUAGE LARGE
LAST LAST_VALUE LATERAL LC_CTYPE LE LEAD LEADING LEAVE LEFT LESS LEVEL LIKE LIKE_REGEX LIMIT
LINEAR LINENO LINES LISTAGG LN LOAD LOADING LOCAL LOCALE LOCALTIME LOCALTIMESTAMP LOCATOR
LOCATORS LOCK LOCKING LOCKMAX LOCKSIZE LOG LOG10 LOGGING LOGON LONG LONGBLOB LONGTEXT LOOP LOWER
LOW_PRIORITY LT MACRO MAINTAINED MAP MASTER_BIND MASTER_SSL_VERIFY_SERVER_CERT MATCH MATCHES
MATCH_NUMBER MATCH_RECOGNIZE MATERIALIZED MAVG MAX MAXEXTENTS MAXIMUM MAXVALUE MCHARACTERS MDIFF
MEDIUMBLOB MEDIUMINT MEDIUMTEXT MEMBER MERGE METHOD MICROSECOND MICROSECONDS MIDDLEINT MIN
MINDEX MINIMUM MINUS MINUTE MINUTES MINUTE_MICROSECOND MINUTE_SECOND MLINREG MLOAD MLSLABEL MOD
MODE MODIFIES MODIFY MODULE MONITOR MONRESOURCE MONSESSION MONTH MONTHS MSUBSTR MSUM MULTISET
NAMED NAMES NATIONAL NATURAL NCHAR NCLOB NE NESTED_TABLE_ID NEW NEW_TABLE NEXT NEXTVAL NO
NOAUDIT NOCHECK NOCOMPRESS NONCLUSTERED NONE NORMALIZE NOT NOTNULL NOWAIT NO_WRITE_TO_BINLOG
NTH_VALUE NTILE NULL NULLIF NULLIFZERO NULLS NUMBER NUMERIC NUMPARTS OBID OBJECT OBJECTS
OCCURRENCES_REGEX OCTET_LENGTH OF OFF OFFLINE OFFSET OFFSETS OLD OLD_TABLE OMIT ON ONE ONLINE
ONLY OPEN OPENDATASOURCE OPENQUERY OPENROWSET OPENXML OPERATION OPTIMIZATION OPTIMIZE
OPTIMIZER_COSTS OPTION OPTIONALLY OR ORDER ORDINALITY ORGANIZATION OUT OUTER OUTFILE OUTPUT OVER
OVERLAPS OVERLAY OVERRIDE PACKAGE PAD PADDED PARAMETER PARAMETERS PART PARTIAL PARTITION
PARTITIONED PARTITIONING PASSWORD PATH PATTERN PCTFREE PER PERCENT PERCENTILE PERCENTILE_CONT
PERCENTILE_DISC PERCENT_RANK PERIOD PERM PERMANENT PIECESIZE PIVOT PLACING PLAN PORTION POSITION
POSITION_REGEX POSTFIX POWER PRECEDES PRECISION PREFIX PREORDER PREPARE PRESERVE PREVVAL PRIMARY
PRINT PRIOR PRIQTY PRIVATE PRIVILEGES PROC PROCEDURE PROFILE PROGRAM PROPORTIONAL PROTECTION
PSID PTF PUBLIC PURGE QUALIFIED QUALIFY QUANTILE QUERY QUERYNO RADIANS RAISERROR RANDOM RANGE
RANGE_N RANK RAW READ READS READTEXT READ_WRITE REAL RECONFIGURE RECURSIVE REF REFERENCES
REFERENCING REFRESH REGEXP REGR_AVGX REGR_AVGY REGR_COUNT REGR_INTERCEPT REGR_R2 REGR_SLOPE
REGR_SXX REGR_SXY REGR_SYY RELATIVE RELEASE RENAME REPEAT REPLACE REPLICATION REPOVERRIDE
REQUEST REQUIRE RESIGNAL RESOURCE RESTART RESTORE RESTRICT RESULT RESULT_SET_LOCATOR RESUME RET
RETRIEVE RETURN RETURNING RETURNS REVALIDATE REVERT REVOKE RIGHT RIGHTS RLIKE ROLE ROLLBACK
ROLLFORWARD ROLLUP ROUND_CEILING ROUND_DOWN ROUND_FLOOR ROUND_HALF_DOWN ROUND_HALF_EVEN
ROUND_HALF_UP ROUND_UP ROUTINE ROW ROWCOUNT ROWGUIDCOL ROWID ROWNUM ROWS ROWSET ROW_NUMBER RULE
RUN RUNNING SAMPLE SAMPLEID SAVE SAVEPOINT SCHEMA SCHEMAS SCOPE SCRATCHPAD SCROLL SEARCH SECOND
SECONDS SECOND_MICROSECOND SECQTY SECTION SECURITY SECURITYAUDIT SEEK SEL SELECT
SEMANTICKEYPHRASETABLE SEMANTICSIMILARITYDETAILSTABLE SEMANTICSIMILARITYTABLE SENSITIVE
SEPARATOR SEQUENCE SESSION SESSION_USER SET SETRESRATE SETS SETSESSRATE SETUSER SHARE SHOW
SHUTDOWN SIGNAL SIMILAR SIMPLE SIN SINH SIZE SKEW SKIP SMALLINT SOME SOUNDEX SOURCE SPACE
SPATIAL SPECIFIC SPECIFICTYPE SPOOL SQL SQLEXCEPTION SQLSTATE SQLTEXT SQLWARNING SQL_BIG_RESULT
SQL_CALC_FOUND_ROWS SQL_SMALL_RESULT SQRT SS SSL STANDARD START STARTING STARTUP STAT STATE
STATEMENT STATIC STATISTICS STAY STDDEV_POP STDDEV_SAMP STEPINFO STOGROUP STORED STORES
STRAIGHT_JOIN STRING_CS STRUCTURE STYLE SUBMULTISET SUBSCRIBER SUBSET SUBSTR SUBSTRING
SUBSTRING_REGEX SUCCEEDS SUCCESSFUL SUM SUMMARY SUSPEND SYMMETRIC SYNONYM SYSDATE SYSTEM
SYSTEM_TIME SYSTEM_USER SYSTIMESTAMP TABLE TABLESAMPLE TABLESPACE TAN TANH TBL_CS TEMPORARY
TERMINATE TERMINATED TEXTSIZE THAN THEN THRESHOLD TIME TIMESTAMP TIMEZONE_HOUR TIMEZONE_MINUTE
TINYBLOB TINYINT TINYTEXT TITLE TO TOP TRACE TRAILING TRAN TRANSACTION TRANSLATE TRANSLATE_CHK
TRANSLATE_REGEX TRANSLATION TREAT TRIGGER TRIM TRIM_ARRAY TRUE TRUNCATE TRY_CONVERT TSEQUAL TYPE
UC UESCAPE UID UNDEFINED UNDER UNDO UNION UNIQUE UNKNOWN UNLOCK UNNEST UNPIVOT UNSIGNED UNTIL
UPD UPDATE UPDATETEXT UPPER UPPERCASE USAGE USE USER USING UTC_DATE UTC_TIME UTC_TIMESTAMP
VALIDATE VALIDPROC VALUE VALUES VALUE_OF VARBINARY VARBYTE VARCHAR VARCHAR2 VARCHARACTER
VARGRAPHIC VARIABLE VARIADIC VARIANT VARYING VAR_POP VAR_SAMP VCAT VERBOSE VERSIONING VIEW
VIRTUAL VOLATILE VOLUMES WAIT WAITFOR WHEN WHENEVER WHERE WHILE WIDTH_BUCKET WINDOW WITH WITHIN
WITHIN_GROUP WITHOUT WLM WORK WRITE WRITETEXT XMLCAST XMLEXISTS XMLNAMESPACES XOR YEAR YEARS
YEAR_MONTH ZEROFILL ZEROIFNULL ZONE
`
    .trim()
    .split(/\s+/),
);

/** The aggregation functions of SELECT and ORDER BY. */
const METRICS_INSIGHTS_FUNCTIONS = ['AVG', 'COUNT', 'MAX', 'MIN', 'SUM'] as const;
type MetricsInsightsFunction = (typeof METRICS_INSIGHTS_FUNCTIONS)[number];

/**
 * "A query that does not specify a LIMIT can also return no more than 500 time series"; LIMIT
 * accepts at most 500. An alarm whose query returns more evaluates with `PARTIAL_DATA`.
 */
const MAX_TIME_SERIES = 500;
/** A query processes at most the first 10,000 metrics it matches (alarm: `PARTIAL_DATA`). */
const MAX_METRICS_PER_QUERY = 10_000;
/**
 * `MetricDataQuery.Expression`, which holds the query in an alarm or a GetMetricData call: 1 to
 * 2,048 characters.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html
 */
const MAX_QUERY_LENGTH = 2048;
/**
 * A Metrics Insights alarm evaluates only the latest 3 hours of data: period × evaluation
 * periods must fit in them.
 */
const MAX_ALARM_EVALUATION_SECONDS = 3 * 3600;
/**
 * Metrics Insights does not support high-resolution data: it aggregates to one minute, so an
 * alarm period must be a whole number of minutes (a 10, 20 or 30 s period would evaluate
 * something else than configured).
 */
const ALARM_PERIOD_MULTIPLE_SECONDS = 60;
/** Default quota of Metrics Insights alarms per account and Region. */
const MAX_METRICS_INSIGHTS_ALARMS_PER_REGION = 200;
/** An alarm over several time series reports at most 100 contributors in ALARM. */
const MAX_ALARM_CONTRIBUTORS = 100;

/** What a name may be without quotes: letters, digits and underscore, not starting with a digit. */
const BARE_IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a namespace, metric name or label key must be double-quoted in a query. */
const needsQuotes = (name: string): boolean =>
  !BARE_IDENTIFIER_RE.test(name) || METRICS_INSIGHTS_RESERVED_KEYWORDS.has(name.toUpperCase());

/**
 * A namespace, metric name or label key as a query writes it: bare when it may be, else in
 * double quotes with each quotation mark escaped by a backslash (as the syntax page says).
 *
 * @example miIdentifier('InstanceId') // 'InstanceId'
 * @example miIdentifier('index') // '"index"' (a reserved keyword)
 * @example miIdentifier('AWS/EC2') // '"AWS/EC2"'
 */
const miIdentifier = (name: string): string =>
  needsQuotes(name) ? `"${name.replace(/["']/g, (q) => `\\${q}`)}"` : name;

/** A label value: always in single quotes, quotation marks escaped. */
const miString = (value: string): string => `'${value.replace(/["']/g, (q) => `\\${q}`)}'`;

/** One `labelKey = 'value'` / `labelKey != 'value'` condition; conditions are joined by AND. */
interface MiCondition {
  readonly key: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

interface MiQuerySpec {
  readonly fn: MetricsInsightsFunction;
  readonly metric: string;
  readonly namespace: string;
  /** Label keys of `SCHEMA(namespace, …)`: only metrics with exactly these dimensions. */
  readonly schema?: readonly string[];
  readonly where?: readonly MiCondition[];
  readonly groupBy?: readonly string[];
  readonly orderBy?: { readonly fn: MetricsInsightsFunction; readonly direction: 'ASC' | 'DESC' };
  readonly limit?: number;
}

/**
 * Writes a Metrics Insights query, every identifier through {@link miIdentifier}.
 *
 * @example miQuery({ fn: 'MAX', metric: 'nvidia_smi_temperature_gpu', namespace: 'CWAgent', groupBy: ['InstanceId', 'index'] })
 * // 'SELECT MAX(nvidia_smi_temperature_gpu) FROM CWAgent GROUP BY InstanceId, "index"'
 */
const miQuery = (q: MiQuerySpec): string => {
  const from = q.schema
    ? `SCHEMA(${[q.namespace, ...q.schema].map(miIdentifier).join(', ')})`
    : miIdentifier(q.namespace);
  const parts = [`SELECT ${q.fn}(${miIdentifier(q.metric)})`, `FROM ${from}`];
  if (q.where && q.where.length > 0) {
    parts.push(
      `WHERE ${q.where.map((c) => `${miIdentifier(c.key)} ${c.op} ${miString(c.value)}`).join(' AND ')}`,
    );
  }
  if (q.groupBy && q.groupBy.length > 0)
    parts.push(`GROUP BY ${q.groupBy.map(miIdentifier).join(', ')}`);
  if (q.orderBy) parts.push(`ORDER BY ${q.orderBy.fn}() ${q.orderBy.direction}`);
  if (q.limit !== undefined) parts.push(`LIMIT ${q.limit}`);
  return parts.join(' ');
};

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: number }
  | { readonly kind: 'quoted'; readonly text: string; readonly at: number }
  | { readonly kind: 'string'; readonly text: string; readonly at: number }
  | { readonly kind: 'number'; readonly text: string; readonly at: number }
  | { readonly kind: 'punct'; readonly text: string; readonly at: number };

/** Splits a query into tokens; a problem (unterminated quote, stray character) ends it. */
const tokenize = (query: string): { tokens: Token[]; problem?: string } => {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let text = '';
      let j = i + 1;
      for (; j < query.length && query.charAt(j) !== c; j++) {
        if (query.charAt(j) === '\\' && `"'`.includes(query.charAt(j + 1))) j++;
        text += query.charAt(j);
      }
      if (j >= query.length) {
        return {
          tokens,
          problem: `unterminated ${c === '"' ? 'quoted name' : 'label value'} at ${i + 1}`,
        };
      }
      tokens.push({ kind: c === '"' ? 'quoted' : 'string', text, at: i + 1 });
      i = j + 1;
      continue;
    }
    if (c === '!' && query.charAt(i + 1) === '=') {
      tokens.push({ kind: 'punct', text: '!=', at: i + 1 });
      i += 2;
      continue;
    }
    if ('(),='.includes(c)) {
      tokens.push({ kind: 'punct', text: c, at: i + 1 });
      i++;
      continue;
    }
    // A run of anything else up to a separator: a word, a number, or a name that needed quotes.
    let j = i;
    while (j < query.length && !/[\s"'(),=!]/.test(query.charAt(j))) j++;
    if (j === i) return { tokens, problem: `unexpected ${JSON.stringify(c)} at ${i + 1}` };
    const text = query.slice(i, j);
    tokens.push({ kind: /^[0-9]+$/.test(text) ? 'number' : 'word', text, at: i + 1 });
    i = j;
  }
  return { tokens };
};

const isKeyword = (t: Token | undefined, kw: string): boolean =>
  t?.kind === 'word' && t.text.toUpperCase() === kw;

/**
 * Checks a query against the documented grammar, reserved keywords and limits. Returns every
 * problem found (empty when the query is valid), each naming what and where (1-based column).
 *
 * @example checkMetricsInsightsQuery('SELECT MAX(x) FROM CWAgent GROUP BY index')
 * // ['GROUP BY: index is a reserved keyword of Metrics Insights at 37: write "index"']
 */
const checkMetricsInsightsQuery = (query: string): string[] => {
  const problems: string[] = [];
  if (query.length > MAX_QUERY_LENGTH) {
    problems.push(`${query.length} characters; a query holds at most ${MAX_QUERY_LENGTH}`);
  }
  const { tokens, problem } = tokenize(query);
  if (problem) return [...problems, problem];
  let p = 0;
  const peek = () => tokens[p];
  const describe = (t: Token | undefined) =>
    t ? `${JSON.stringify(t.text)} at ${t.at}` : 'the end';
  const fail = (msg: string): string[] => [...problems, msg];
  const expectKeyword = (kw: string, clause: string): boolean => {
    if (isKeyword(peek(), kw)) {
      p++;
      return true;
    }
    problems.push(`${clause}: expected ${kw}, found ${describe(peek())}`);
    return false;
  };
  const expectPunct = (s: string, clause: string): boolean => {
    const t = peek();
    if (t?.kind === 'punct' && t.text === s) {
      p++;
      return true;
    }
    problems.push(`${clause}: expected ${s}, found ${describe(t)}`);
    return false;
  };
  /** A namespace, metric name or label key: quoted, or bare when it may be. */
  const identifier = (clause: string): boolean => {
    const t = peek();
    if (t?.kind === 'quoted') {
      p++;
      if (t.text === '') problems.push(`${clause}: empty name at ${t.at}`);
      return true;
    }
    if (t?.kind === 'word' || t?.kind === 'number') {
      p++;
      if (!BARE_IDENTIFIER_RE.test(t.text)) {
        problems.push(
          `${clause}: ${t.text} at ${t.at} has characters other than letters, digits and _ or starts with a digit: write ${miIdentifier(t.text)}`,
        );
      } else if (METRICS_INSIGHTS_RESERVED_KEYWORDS.has(t.text.toUpperCase())) {
        problems.push(
          `${clause}: ${t.text} is a reserved keyword of Metrics Insights at ${t.at}: write "${t.text}"`,
        );
      }
      return true;
    }
    problems.push(`${clause}: expected a name, found ${describe(t)}`);
    return false;
  };
  const aggregation = (clause: string): boolean => {
    const t = peek();
    if (
      t?.kind === 'word' &&
      (METRICS_INSIGHTS_FUNCTIONS as readonly string[]).includes(t.text.toUpperCase())
    ) {
      p++;
      return true;
    }
    problems.push(
      `${clause}: expected one of ${METRICS_INSIGHTS_FUNCTIONS.join(', ')}, found ${describe(t)}`,
    );
    return false;
  };
  const list = (clause: string): boolean => {
    if (!identifier(clause)) return false;
    while (peek()?.kind === 'punct' && peek()?.text === ',') {
      p++;
      if (!identifier(clause)) return false;
    }
    return true;
  };

  // SELECT FUNCTION(metricName)
  if (!expectKeyword('SELECT', 'SELECT')) return problems;
  if (!aggregation('SELECT') || !expectPunct('(', 'SELECT')) return problems;
  if (!identifier('SELECT metric') || !expectPunct(')', 'SELECT')) return problems;

  // FROM namespace | SCHEMA(namespace, labelKey, ...)
  if (!expectKeyword('FROM', 'FROM')) return problems;
  const next = tokens[p + 1];
  if (isKeyword(peek(), 'SCHEMA') && next?.kind === 'punct' && next.text === '(') {
    p += 2;
    if (!list('SCHEMA') || !expectPunct(')', 'SCHEMA')) return problems;
  } else if (!identifier('FROM namespace')) {
    return problems;
  }

  // WHERE labelKey (= | !=) 'value' [(AND | OR) ...], with parentheses
  if (isKeyword(peek(), 'WHERE')) {
    p++;
    const condition = (): boolean => {
      if (peek()?.kind === 'punct' && peek()?.text === '(') {
        p++;
        return disjunction() && expectPunct(')', 'WHERE');
      }
      if (!identifier('WHERE label')) return false;
      const op = peek();
      if (op?.kind !== 'punct' || (op.text !== '=' && op.text !== '!=')) {
        problems.push(`WHERE: expected = or !=, found ${describe(op)}`);
        return false;
      }
      p++;
      const value = peek();
      if (value?.kind !== 'string') {
        problems.push(`WHERE: a label value must be in single quotes, found ${describe(value)}`);
        return false;
      }
      p++;
      return true;
    };
    const disjunction = (): boolean => {
      if (!condition()) return false;
      while (isKeyword(peek(), 'AND') || isKeyword(peek(), 'OR')) {
        p++;
        if (!condition()) return false;
      }
      return true;
    };
    if (!disjunction()) return problems;
  }

  // GROUP BY labelKey, ...
  if (isKeyword(peek(), 'GROUP')) {
    p++;
    if (!expectKeyword('BY', 'GROUP BY') || !list('GROUP BY')) return problems;
  }

  // ORDER BY FUNCTION() [ASC | DESC]
  if (isKeyword(peek(), 'ORDER')) {
    p++;
    if (!expectKeyword('BY', 'ORDER BY') || !aggregation('ORDER BY')) return problems;
    if (!expectPunct('(', 'ORDER BY') || !expectPunct(')', 'ORDER BY')) return problems;
    if (isKeyword(peek(), 'ASC') || isKeyword(peek(), 'DESC')) p++;
  }

  // LIMIT n, 1..500
  if (isKeyword(peek(), 'LIMIT')) {
    p++;
    const n = peek();
    if (n?.kind !== 'number') return fail(`LIMIT: expected a number, found ${describe(n)}`);
    p++;
    const limit = Number(n.text);
    if (limit < 1 || limit > MAX_TIME_SERIES) {
      problems.push(`LIMIT ${limit}: must be 1 to ${MAX_TIME_SERIES}`);
    }
  }

  if (p < tokens.length) problems.push(`unexpected ${describe(peek())}`);
  return problems;
};

/** The parts of an alarm on a Metrics Insights query that its limits concern. */
interface MiAlarmSpec {
  readonly query: string;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
}

/**
 * Checks an alarm on a Metrics Insights query: the query, a period of whole minutes, and an
 * evaluation window (period × evaluation periods) within the latest 3 hours.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html
 */
const checkMetricsInsightsAlarm = (alarm: MiAlarmSpec): string[] => {
  const problems = checkMetricsInsightsQuery(alarm.query);
  const { periodSeconds, evaluationPeriods } = alarm;
  if (
    !Number.isInteger(periodSeconds) ||
    periodSeconds < ALARM_PERIOD_MULTIPLE_SECONDS ||
    periodSeconds % ALARM_PERIOD_MULTIPLE_SECONDS !== 0
  ) {
    problems.push(
      `period ${periodSeconds} s: a Metrics Insights alarm period is a multiple of ${ALARM_PERIOD_MULTIPLE_SECONDS} s (no high-resolution data)`,
    );
  }
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
    problems.push(`evaluation periods ${evaluationPeriods}: must be a whole number ≥ 1`);
  } else if (periodSeconds * evaluationPeriods > MAX_ALARM_EVALUATION_SECONDS) {
    problems.push(
      `${evaluationPeriods} periods of ${periodSeconds} s = ${(periodSeconds * evaluationPeriods) / 60} min: a Metrics Insights alarm evaluates only the latest ${MAX_ALARM_EVALUATION_SECONDS / 3600} hours`,
    );
  }
  const toAlarm = alarm.datapointsToAlarm;
  if (toAlarm !== undefined && (toAlarm < 1 || toAlarm > evaluationPeriods)) {
    problems.push(
      `datapoints to alarm ${toAlarm}: must be 1 to the ${evaluationPeriods} evaluation periods`,
    );
  }
  return problems;
};

/** Whether a dashboard or alarm expression is a Metrics Insights query (not metric math or SEARCH). */
const isMetricsInsightsQuery = (expression: string): boolean => /^\s*SELECT\b/i.test(expression);

/** Throws one error listing every problem of a query, named by `where`, when there are any. */
const assertMetricsInsights = (where: string, problems: readonly string[]): void => {
  if (problems.length > 0) {
    throw new Error(`${where}: invalid Metrics Insights query: ${problems.join('; ')}`);
  }
};

export type { MetricsInsightsFunction, MiAlarmSpec, MiCondition, MiQuerySpec };
export {
  ALARM_PERIOD_MULTIPLE_SECONDS,
  assertMetricsInsights,
  checkMetricsInsightsAlarm,
  checkMetricsInsightsQuery,
  isMetricsInsightsQuery,
  MAX_ALARM_CONTRIBUTORS,
  MAX_ALARM_EVALUATION_SECONDS,
  MAX_METRICS_INSIGHTS_ALARMS_PER_REGION,
  MAX_METRICS_PER_QUERY,
  MAX_QUERY_LENGTH,
  MAX_TIME_SERIES,
  METRICS_INSIGHTS_FUNCTIONS,
  METRICS_INSIGHTS_RESERVED_KEYWORDS,
  miIdentifier,
  miQuery,
  miString,
};
