# ruff: noqa: E501  (the texts are data, one per line)
"""Write tests/data/tagging_dev.jsonl from the lists below (run once; the .jsonl is the data).

The development set: the texts the suggestion model's settings are tuned on, so that the two
held-out sets (tests/data/tagging_heldout.jsonl and tagging_heldout_b.jsonl) are scored only
once, at the end. Written by a third author, independently of portal/demo/texts.py and of the
held-out sets: short and long texts, misspellings and text-speak, Liverpool City Region places,
formal procurement and board-paper language, situations described without the commitment's own
words, and texts about no commitment at all (slug None). Never copy these into the demo texts.
"""

import json
from pathlib import Path

TEXTS: dict[str | None, list[str]] = {
    "social-value-weighting-in-procurement": [
        "What share of the marks is social value worth on the new rail cleaning contract? The ITT didn't say.",
        "price is still king in your tenders, community stuff gets a token 5 percent if that",
        "We would ask that the Combined Authority commits to a fixed minimum weighting for social value, applied consistently across every lot and every framework, rather than leaving it to individual category managers.",
        "Our social enterprise in Everton put in a bid with 12 local apprenticeships and still lost to the cheapest quote by miles. How is that fair?",
        "Did the March 2023 target for a minimum weighting ever get met? I can't find any report on it.",
        "wieghting for socal value shud be at least 20% on all contracts",
        "The evaluation model for the Kirkby depot works was 80% cost and 20% quality. Local benefit didn't feature at all.",
        "Can you publish the percentage used in scoring for each contract awarded last year, so we can see if the policy is actually applied?",
        "Every buyer in your organisation seems to mark community benefit differently. Set a floor and stick to it.",
    ],
    "early-clarity-on-social-value-requirements": [
        "We only found out what outcomes you wanted after the bid went in. Tell suppliers at the start.",
        "Please share your expectations on local jobs and training at the pre-market engagement stage so that SMEs in Wirral have time to partner up.",
        "the supplier day in Liverpool was great but nobody could tell us what you'd be asking for on community benefits",
        "Could the prior information notice set out the social outcomes you will be looking for? It would save everyone time.",
        "As a small haulage firm in Widnes we need to know months in advance what commitments you expect, we can't invent an apprenticeship scheme in a fortnight.",
        "Your commissioning officers should talk to potential providers much earlier about what added value they want to see.",
        "clarity early on pls!! we wasted weeks guessing",
        "The tender pack for the ferry terminal refit buried the community requirements in schedule 14. Make them clear from the first conversation.",
        "Would the Authority consider publishing a pipeline of forthcoming procurements alongside the outcomes it intends to seek, so that the market can prepare?",
    ],
    "safe-spaces-at-stations-and-travel-centres": [
        "I was being followed through Lime Street late last night and didn't know if I could ask the staff for help.",
        "Is the travel centre at Queen Square a place I can wait if someone is bothering me?",
        "My daughter felt unsafe at Kirkby station and there was nowhere she could go. Staffed stations should let people in.",
        "thank u to the guard at Hunts Cross who stayed with me when a drunk man wouldnt leave me alone",
        "Staff should be trained to help someone who says they are scared or in danger, and know who to phone.",
        "A woman was crying in the booking hall at Birkenhead Central, clearly frightened. The staff didn't seem to know what to do.",
        "Please put a clear sign on the door of every staffed station saying you can come in here if you feel unsafe.",
        "saftey at stations at night is terrible, somewhere to go would help",
        "Can vulnerable people, for example those with dementia who get lost, be looked after at the ticket office until family arrives?",
    ],
    "foodbank-collection-points": [
        "Could there be a donation point for tins and pasta at Liverpool South Parkway?",
        "food bank box at the bus station pls, I pass it every day",
        "Our church in Anfield would love to know where commuters can drop off groceries for families in need.",
        "The collection crate for the pantry at Moorfields has disappeared. Where has it gone?",
        "More places to leave food donations at stations across St Helens and Knowsley would really help with the cost of living.",
        "I'd happily leave a bag of shopping for the foodbank on my way to work if there was somewhere at the station.",
        "Is there a list of which travel centres take donations for people who can't afford to eat?",
        "foodbnak points at more train stations",
        "Can the Authority work with the North Liverpool food network to put collection bins in every staffed rail station?",
    ],
    "transport-user-data": [
        "Do you actually know who uses the buses in Netherton? Nobody has ever asked us.",
        "You should count how many wheelchair users travel on each route and plan accessible services around it.",
        "Ticket machine data must show the 8am trains from Ormskirk are packed. Use it and add carriages.",
        "Please publish passenger numbers by route so we can see why services get cut.",
        "the surveys never reach older people without internet, so your figures are wrong",
        "Timetables should follow when people actually travel, use the contactless tap data to work it out.",
        "We request that the Authority improves its collection of demographic information about network users, including disability and ethnicity, and sets out how it informs service planning.",
        "Why was the 75 cut when it's always full? Who decided there wasn't demand?",
        "Night shift workers in Speke need buses at 5am, but I bet that doesn't show up in your counts.",
    ],
    "transport-hubs-as-community-assets": [
        "The empty units at Birkenhead bus station could be used for a community cafe or a youth club.",
        "Why not let local groups use the meeting room at the travel centre in the evenings?",
        "Southport station could host a small library or a noticeboard for local events.",
        "Bus stations should be more than places to wait, they could be at the heart of the neighbourhood with stalls and services.",
        "we need somewhere for the kids in Skelmersdale to go, the old booking office is just sat there empty",
        "A pop-up health check or advice desk at Liverpool One bus station would reach people who never go to the GP.",
        "Could the Authority open up its interchanges to local charities and social enterprises on low rents?",
        "Put art by local schools up at Huyton interchange and make it feel like ours.",
        "Turn the disused waiting room at Hooton into a community space.",
    ],
    "fair-employment-charter": [
        "Do the cleaners on your trains get the real living wage? They should.",
        "Contractors working for Merseytravel should have to pay at least the Living Wage Foundation rate.",
        "I have been on a zero hours contract with your catering supplier for 3 years with no chance of moving up.",
        "More training and a proper career path for bus drivers please, not just the same job forever.",
        "the security guards at the stations are on minimum wage, it's not right",
        "Will the Authority sign up to the Liverpool City Region Fair Employment Charter and require its suppliers to do the same?",
        "Staff at the travel centres should get paid for the training they do, and have chances for promotion.",
        "Good jobs with decent pay and secure hours, that's what the area needs from your contractors.",
        "Please encourage the operators to offer apprenticeships that lead to a permanent post, not six months and out.",
    ],
    "diverse-transport-workforce": [
        "Why are almost all the train drivers white men? Recruit more women.",
        "Your management team looks nothing like the communities in Toxteth and Granby.",
        "I'd love to see more Black and Asian staff at every level in transport, including the board.",
        "Could you run recruitment days in Liverpool 8 to reach people who never think of a job on the railway?",
        "women engineers in transport are so rare, what are you doing about it",
        "Please publish workforce figures by gender and ethnicity so we can see if things are improving.",
        "The apprenticeship intake should reflect the diversity of the city region, at the moment it doesn't.",
        "We propose targeted outreach to under-represented groups, with mentoring and guaranteed interviews for candidates who meet the criteria.",
        "my mum wanted to be a bus driver but was told it's not a job for a woman. that was 2019!",
    ],
    "social-value-in-all-activity": [
        "Social value shouldn't just be about buying things. How you employ people and run services matters too.",
        "It is good to see social value in contracts, but what about in your own investments and day to day operations?",
        "Your grants programme should look at community benefit as well, not only your tenders.",
        "Please apply the same thinking about local benefit to how the ferries and tunnels are run, not just procurement.",
        "socail value should be in everything you do not just the buying side",
        "When you commission services or invest in new stations, the benefit to local people should be considered from the start.",
        "We would encourage the Combined Authority to embed social value across employment, investment and service delivery, rather than treating it as a procurement exercise.",
        "How does your own recruitment and service design create value for communities, beyond what suppliers promise?",
        "Benefits for local people should be part of every decision, hiring, spending and running services.",
    ],
    "costs-and-benefits-in-investment-decisions": [
        "When you decide which rail schemes to fund, do you count the benefit to communities or just the money?",
        "The business case for the new station in Headbolt Lane should show the wider benefits to Kirkby, not only the cost.",
        "Value for money has to include the social return, not just the cheapest build.",
        "How are social impacts weighed against capital cost in the city region's transport investment appraisal?",
        "spending millions on a road when a bus route would help more people, did anyone do the sums on that",
        "Please publish the cost benefit analysis for the Borough Road bus lane, including the impact on local people.",
        "Investment decisions should properly weigh up the health, jobs and community benefits against the price tag.",
        "We would like the Authority to set out a method for monetising social value in its appraisal of major schemes.",
        "Is the social return on investment considered when the board approves big projects like the new ferry?",
    ],
    "anchor-institutions": [
        "The universities, hospitals and councils in Liverpool should buy and hire locally together with you.",
        "Work with Alder Hey and the Royal on joint apprenticeships, you all need the same skills.",
        "Big organisations in the city region should pool their spending power to support local firms.",
        "Could the Combined Authority partner with the two football clubs on community transport projects?",
        "anchor orgs like the NHS trusts and colleges should be part of this",
        "Link up with Wirral Council and the housing associations so that local jobs go to local people.",
        "We suggest a compact between the Authority, the NHS, the universities and the port to maximise local spend and employment.",
        "Join forces with other large employers in Sefton to run a shared training academy.",
        "The port, the airport and the hospitals are massive employers, bring them round the table with you.",
    ],
    "environmental-benefits": [
        "Planting trees along the Northern Line would make it greener and help the climate.",
        "Count the carbon saved when people switch from cars to buses as part of your social value.",
        "Electric buses on every route in Liverpool please, the diesel fumes on Lime Street are awful.",
        "Your contractors should have to cut emissions and reuse materials, and you should report on it.",
        "solar panels on station roofs?? easy win",
        "Air quality near the Queensway tunnel entrance is dreadful. What are you doing about pollution?",
        "Please include biodiversity and wildflower planting in station refurbishments.",
        "Environmental outcomes, such as reduced emissions and waste, should form part of the social value measured on every contract.",
        "more bike storage at stations so we can leave the car at home",
    ],
    "engaging-transport-providers-and-service-users": [
        "Keep asking passengers what they think, not just once when the policy is written.",
        "As a bus operator we'd welcome a regular forum to discuss how the framework is working in practice.",
        "Will there be more chances like this consultation to give feedback as things progress?",
        "The community panel meetings stopped after one session. Please bring them back.",
        "please listen to us users more, we know what the problems are",
        "Operators and user groups should be involved in reviewing how the framework is going each year.",
        "Hold drop-in sessions in libraries in Bootle and Wallasey so people who don't go online can have their say.",
        "We recommend the Authority establishes a standing stakeholder reference group, including providers and passenger representatives, to monitor implementation.",
        "Glad you asked for our views. Please tell us what you did with them.",
    ],
    None: [
        "The 86 was 20 minutes late again this morning.",
        "Lift broken at Liverpool Central for the third week running.",
        "Why is a day saver so expensive now?",
        "Can I use my bus pass on the Mersey Ferry?",
        "Lost my umbrella on the train to Chester, is there a lost property?",
        "Bins at Moorfields are overflowing.",
        "The driver on the 14 was really rude to an elderly man.",
        "Please bring back the direct bus from Halewood to town.",
        "Heating on the train isn't working, freezing",
        "The website crashed when I tried to top up my Walrus card.",
        "Potholes on the road outside the bus station are dangerous.",
        "Great service today, thanks!",
        "test",
        "Cheap loans approved in minutes, click here",
        "How late does the tunnel stay open for cyclists?",
        "Parking at the park and ride is always full by 8.",
        "the toilets at the bus station are disgusting",
        "Trains on the Wirral line keep getting cancelled with no notice.",
        "Why don't the buses in Runcorn take contactless?",
        "Can you add more seats at the stop outside Aintree hospital?",
        "There's a leak in the roof of the waiting room at Hoylake.",
        "Tunnel toll prices are a joke.",
        "Engineering works every weekend, when will it end?",
        "Smoke coming from under the bus on Smithdown Road yesterday, reported to the driver.",
        "I want to complain about the noise from the new trains' doors.",
        "Are dogs allowed on Merseyrail?",
        "hi can u tell me the times for the 10A on sunday",
        "The ticket machine at Ainsdale only takes cards.",
        "Escalator at Lime Street underground stuck again.",
        "Why are the Mersey ferry cruises so pricey for a family?",
        "The new timetable doesn't connect with the trains at Kirkby anymore.",
        "Please fix the broken shelter glass on Prescot Road.",
        "My pushchair didn't fit in the space on the bus because of bags.",
        "Bus app shows the wrong stop names.",
        "no comment",
        "Will there be strikes next week?",
    ],
}


def main() -> None:
    """Write the JSON-lines file beside this script."""
    lines = []
    n = 0
    for slug, texts in TEXTS.items():
        for text in texts:
            n += 1
            lines.append(json.dumps({"id": f"d{n:03d}", "text": text, "commitment": slug}))
    Path(__file__).with_suffix(".jsonl").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
