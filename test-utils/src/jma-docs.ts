/**
 * JMA disaster XML (防災情報XML) documents written for the tests from the published format
 * (https://xml.kishou.go.jp/, 解説資料: 気象警報・注意報 VPWW54, 土砂災害警戒情報 VXWW50, 指定河川洪水予報
 * VXKO50–70). Fictional offices and codes in the demo's prefecture 99: 絆市 is 市町村等 9999900.
 */

export interface JmaHeadOptions {
  eventId?: string;
  serial?: number | '';
  infoType?: '発表' | '訂正' | '取消';
  reportDateTime?: string;
  status?: '通常' | '訓練' | '試験';
}

export interface JmaCity {
  code: string;
  name: string;
}
export const JMA_DEMO_CITY: JmaCity = { code: '9999900', name: '絆市' };
export const JMA_OTHER_CITY: JmaCity = { code: '9999800', name: '隣町' };

function report(title: string, infoKind: string, headTitle: string, o: JmaHeadOptions, headline: string, body: string) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Report xmlns="http://xml.kishou.go.jp/jmaxml1/" xmlns:jmx="http://xml.kishou.go.jp/jmaxml1/" xmlns:jmx_add="http://xml.kishou.go.jp/jmaxml1/addition1/">
  <Control>
    <Title>${title}</Title>
    <DateTime>${o.reportDateTime ?? '2026-07-01T01:00:00Z'}</DateTime>
    <Status>${o.status ?? '通常'}</Status>
    <EditorialOffice>絆地方気象台</EditorialOffice>
    <PublishingOffice>絆地方気象台</PublishingOffice>
  </Control>
  <Head xmlns="http://xml.kishou.go.jp/jmaxml1/informationBasis1/">
    <Title>${headTitle}</Title>
    <ReportDateTime>${o.reportDateTime ?? '2026-07-01T10:00:00+09:00'}</ReportDateTime>
    <TargetDateTime>${o.reportDateTime ?? '2026-07-01T10:00:00+09:00'}</TargetDateTime>
    <EventID>${o.eventId ?? ''}</EventID>
    <InfoType>${o.infoType ?? '発表'}</InfoType>
    <Serial>${o.serial ?? ''}</Serial>
    <InfoKind>${infoKind}</InfoKind>
    <InfoKindVersion>1.2_1</InfoKindVersion>
    <Headline>
      ${headline}
    </Headline>
  </Head>
  ${o.infoType === '取消' ? '<Body xmlns="http://xml.kishou.go.jp/jmaxml1/body/meteorology1/"/>' : body}
</Report>
`;
}

export interface WarningKind {
  name: string;
  code: string;
  status?: string;
  notes?: string[];
}

/** 気象特別警報・警報・注意報 with a 市町村等 section: `kinds` for 絆市, and a 大雨注意報 for the neighbour. */
export function jmaWarning(kinds: WarningKind[], o: JmaHeadOptions = {}, city: JmaCity = JMA_DEMO_CITY): string {
  const kindXml = (k: WarningKind) => `<Kind>
            <Name>${k.name}</Name>
            <Code>${k.code}</Code>
            <Status>${k.status ?? '発表'}</Status>${
              k.notes?.length
                ? `
            <Attention>${k.notes.map((n) => `<Note>${n}</Note>`).join('')}</Attention>`
                : ''
            }
          </Kind>`;
  return report(
    '気象特別警報・警報・注意報',
    '気象警報・注意報',
    '絆県気象警報・注意報',
    o,
    `<Text>絆県では、土砂災害や低い土地の浸水に警戒してください。</Text>`,
    `<Body xmlns="http://xml.kishou.go.jp/jmaxml1/body/meteorology1/" xmlns:jmx_eb="http://xml.kishou.go.jp/jmaxml1/elementBasis1/">
    <Warning type="気象警報・注意報（府県予報区等）">
      <Item><Kind><Name>${kinds[0]?.name ?? '大雨注意報'}</Name><Code>${kinds[0]?.code ?? '10'}</Code></Kind><Area><Name>絆県</Name><Code>990000</Code></Area></Item>
    </Warning>
    <Warning type="気象警報・注意報（市町村等）">
      <Item>
          ${kinds.map(kindXml).join('\n          ')}
        <Area><Name>${city.name}</Name><Code>${city.code}</Code></Area>
        <ChangeStatus>警報・注意報種別に変化有</ChangeStatus>
        <FullStatus>一部解除</FullStatus>
        <EditingMark>0</EditingMark>
      </Item>
      <Item>
        <Kind><Name>大雨注意報</Name><Code>10</Code><Status>発表</Status></Kind>
        <Area><Name>${JMA_OTHER_CITY.name}</Name><Code>${JMA_OTHER_CITY.code}</Code></Area>
      </Item>
    </Warning>
  </Body>`,
  );
}

/** 土砂災害警戒情報 for 絆市 (Kind 警戒 code 3; 解除 code 1). */
export function jmaLandslide(o: JmaHeadOptions & { lifted?: boolean } = {}, city: JmaCity = JMA_DEMO_CITY): string {
  const kind = o.lifted
    ? '<Name>解除</Name><Code>1</Code><Status>解除</Status>'
    : '<Name>警戒</Name><Code>3</Code><Status>発表</Status>';
  return report(
    '土砂災害警戒情報',
    '土砂災害警戒情報',
    '絆県土砂災害警戒情報',
    { eventId: 'kizuna-landslide-1', serial: 1, ...o },
    `<Text>＜概況＞降り続く大雨のため、警戒対象地域では土砂災害の危険度が高まっています。</Text>
      <Information type="土砂災害警戒情報">
        <Item><Kind><Name>${o.lifted ? '解除' : '警戒'}</Name><Code>${o.lifted ? 1 : 3}</Code></Kind>
          <Areas codeType="気象・地震・火山情報／市町村等"><Area><Name>${city.name}</Name><Code>${city.code}</Code></Area></Areas></Item>
      </Information>`,
    `<Body xmlns="http://xml.kishou.go.jp/jmaxml1/body/meteorology1/">
    <Warning type="土砂災害警戒情報">
      <Item><Kind>${kind}</Kind><Area><Name>${city.name}</Name><Code>${city.code}</Code></Area></Item>
      <Item><Kind><Name>なし</Name><Code>0</Code><Status>なし</Status></Kind><Area><Name>${JMA_OTHER_CITY.name}</Name><Code>${JMA_OTHER_CITY.code}</Code></Area></Item>
    </Warning>
  </Body>`,
  );
}

/** 指定河川洪水予報 for 絆川: `kind` (氾濫危険情報 code 40, …), with 絆市 among the 浸水想定地区. */
export function jmaRiver(
  kind: { name: string; code: string },
  o: JmaHeadOptions = {},
  city: JmaCity = JMA_DEMO_CITY,
): string {
  return report(
    '指定河川洪水予報',
    '指定河川洪水予報',
    `絆川${kind.name}`,
    { eventId: '999990000100', serial: 1, ...o },
    `<Text>絆川では、氾濫するおそれがあります。</Text>
      <Information type="指定河川洪水予報（河川）">
        <Item><Kind><Name>${kind.name}</Name><Code>${kind.code}</Code></Kind>
          <Areas codeType="河川"><Area><Name>絆川</Name><Code>999990000100</Code></Area></Areas></Item>
      </Information>`,
    `<Body xmlns="http://xml.kishou.go.jp/jmaxml1/body/hydrology1/" xmlns:jmx_eb="http://xml.kishou.go.jp/jmaxml1/elementBasis1/">
    <Notice/>
    <Warning type="指定河川洪水予報">
      <Item>
        <Kind><Property><Type>主文</Type><Text>絆川では、氾濫するおそれがあります。</Text></Property></Kind>
        <Areas codeType="河川"><Area><Name>絆川</Name><Code>999990000100</Code></Area></Areas>
      </Item>
      <Item>
        <Kind><Name>浸水想定地区</Name><Code>1</Code></Kind>
        <Areas codeType="水位観測所">
          <Area><Name>絆川下流</Name><Code>999990000101</Code><Prefecture>絆県</Prefecture><PrefectureCode>990000</PrefectureCode><City>${city.name}</City><CityCode>${city.code}</CityCode><SubCityList><SubCity><Name>川辺</Name></SubCity></SubCityList></Area>
        </Areas>
      </Item>
    </Warning>
  </Body>`,
  );
}
